package dev.svertka.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Renders a kustomization as {@code kustomize build} does, for the features Svertka's k8s/ uses:
 * resources (files and folders), strategic-merge patches from files (including
 * {@code $patch: delete}), labels on metadata and image overrides ({@code kustomize edit set image}). Any other field fails, so that the manifests
 * cannot use something this rendering would silently get wrong. (Checked against
 * {@code kubectl kustomize} 1.32 on every overlay.)
 */
final class Kustomize {

    private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "labels", "images");
    /** Kubernetes' merge keys for the lists these manifests patch; other lists are replaced. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "volumes", "name",
            "env", "name", "volumeMounts", "mountPath", "ports", "containerPort");

    private Kustomize() {
    }

    /** Every file a kustomization reads: itself, its resources and patches, recursively. */
    static Set<Path> files(Path dir) throws IOException {
        Set<Path> files = new java.util.TreeSet<>();
        Path file = dir.resolve("kustomization.yaml");
        files.add(file.normalize());
        Map<String, Object> kustomization = Yaml.load(file);
        for (Object resource : Yaml.listAt(kustomization, "resources")) {
            Path path = dir.resolve(resource.toString()).normalize();
            if (Files.isDirectory(path)) {
                files.addAll(files(path));
            } else {
                files.add(path);
            }
        }
        for (Map<String, Object> patch : Yaml.mapsAt(kustomization, "patches")) {
            files.add(dir.resolve(Yaml.stringAt(patch, "path")).normalize());
        }
        return files;
    }

    static List<Map<String, Object>> build(Path dir) throws IOException {
        Path file = dir.resolve("kustomization.yaml");
        Map<String, Object> kustomization = Yaml.load(file);
        for (String field : kustomization.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new IllegalStateException(file + ": the test rendering does not know '" + field + "'");
            }
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Object resource : Yaml.listAt(kustomization, "resources")) {
            Path path = dir.resolve(resource.toString()).normalize();
            resources.addAll(Files.isDirectory(path) ? build(path) : Yaml.loadAll(path));
        }
        for (Map<String, Object> patch : Yaml.mapsAt(kustomization, "patches")) {
            if (!patch.keySet().equals(Set.of("path"))) {
                throw new IllegalStateException(file + ": only patches given by path are rendered: " + patch);
            }
            apply(resources, Yaml.load(dir.resolve(Yaml.stringAt(patch, "path"))));
        }
        for (Map<String, Object> label : Yaml.mapsAt(kustomization, "labels")) {
            if (!Boolean.FALSE.equals(label.get("includeSelectors")) || label.containsKey("includeTemplates")) {
                throw new IllegalStateException(file + ": only labels with includeSelectors: false are rendered");
            }
            for (Map<String, Object> resource : resources) {
                Map<String, Object> metadata = Yaml.map(resource.get("metadata"));
                Map<String, Object> labels = new LinkedHashMap<>(Yaml.mapAt(metadata, "labels"));
                labels.putAll(Yaml.mapAt(label, "pairs"));
                metadata.put("labels", labels);
            }
        }
        for (Map<String, Object> image : Yaml.mapsAt(kustomization, "images")) {
            resources.forEach(resource -> setImage(resource, image));
        }
        return resources;
    }

    private static void setImage(Map<String, Object> resource, Map<String, Object> override) {
        for (String list : List.of("containers", "initContainers")) {
            for (Map<String, Object> container : Yaml.mapsAt(resource, "spec", "template", "spec", list)) {
                String image = container.get("image").toString();
                int tagAt = image.lastIndexOf(':') > image.lastIndexOf('/') ? image.lastIndexOf(':') : image.length();
                String name = image.substring(0, tagAt);
                if (!name.equals(override.get("name"))) {
                    continue;
                }
                String newName = Objects.toString(override.get("newName"), name);
                if (override.containsKey("digest")) {
                    container.put("image", newName + "@" + override.get("digest"));
                } else {
                    String tag = override.containsKey("newTag") ? ":" + override.get("newTag") : image.substring(tagAt);
                    container.put("image", newName + tag);
                }
            }
        }
    }

    private static void apply(List<Map<String, Object>> resources, Map<String, Object> patch) {
        Map<String, Object> target = resources.stream()
                .filter(r -> Objects.equals(r.get("kind"), patch.get("kind"))
                        && Objects.equals(Yaml.at(r, "metadata", "name"), Yaml.at(patch, "metadata", "name")))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the patch's target does not exist: "
                        + patch.get("kind") + " " + Yaml.at(patch, "metadata", "name")));
        if ("delete".equals(patch.get("$patch"))) {
            resources.remove(target);
        } else {
            resources.set(resources.indexOf(target), Yaml.map(merge(target, patch, null)));
        }
    }

    private static Object merge(Object base, Object patch, String field) {
        if (base instanceof Map<?, ?> && patch instanceof Map<?, ?>) {
            Map<String, Object> merged = new LinkedHashMap<>(Yaml.map(base));
            Yaml.map(patch).forEach((key, value) -> {
                if (value == null) {
                    merged.remove(key);
                } else {
                    merged.put(key, merged.containsKey(key) ? merge(merged.get(key), value, key) : value);
                }
            });
            return merged;
        }
        String mergeKey = MERGE_KEYS.get(field);
        if (base instanceof List<?> baseList && patch instanceof List<?> patchList && mergeKey != null) {
            List<Object> merged = new ArrayList<>(baseList);
            for (Object item : patchList) {
                Object key = Yaml.map(item).get(mergeKey);
                int index = indexOf(merged, mergeKey, key);
                if (index < 0) {
                    merged.add(item);
                } else {
                    merged.set(index, merge(merged.get(index), item, null));
                }
            }
            return merged;
        }
        return patch;
    }

    private static int indexOf(List<Object> items, String mergeKey, Object key) {
        for (int i = 0; i < items.size(); i++) {
            if (Objects.equals(Yaml.map(items.get(i)).get(mergeKey), key)) {
                return i;
            }
        }
        return -1;
    }
}
