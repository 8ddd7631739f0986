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
 * resources (files and folders), patches from files (strategic-merge, including {@code $patch: delete},
 * by the patch's own kind and name; JSON 6902 operations on a {@code target} given by kind and name),
 * {@code namespace}, labels on metadata and image overrides ({@code kustomize edit set image}), applied
 * in kustomize's order: patches, namespace, labels, images. Any other field fails, so that the manifests
 * cannot use something this rendering would silently get wrong. Where kubectl is installed,
 * KubernetesManifestsTest compares every rendering with {@code kubectl kustomize}'s (kubectl 1.32, kustomize 5.5).
 */
final class Kustomize {

    private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "namespace", "labels",
            "images");
    /**
     * Cluster-scoped kinds among kustomize's built-in ones that a deployment could carry: {@code namespace:} leaves
     * their metadata.namespace alone (and renames a Namespace). Kustomize treats every kind it does not know, custom
     * resources included, as namespaced.
     */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
            "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService");
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
            Path patchFile = dir.resolve(Yaml.stringAt(patch, "path"));
            if (patch.keySet().equals(Set.of("path"))) {
                apply(resources, Yaml.load(patchFile));
            } else if (patch.keySet().equals(Set.of("path", "target"))) {
                applyJson6902(file, resources, Yaml.mapAt(patch, "target"), Yaml.loadList(patchFile));
            } else {
                throw new IllegalStateException(file + ": only patches given by path (and a target) are rendered: " + patch);
            }
        }
        Object namespace = kustomization.get("namespace");
        if (namespace != null) {
            for (Map<String, Object> resource : resources) {
                Map<String, Object> metadata = Yaml.map(resource.get("metadata"));
                if ("Namespace".equals(resource.get("kind"))) {
                    metadata.put("name", namespace.toString());
                } else if (!CLUSTER_SCOPED.contains(resource.get("kind"))) {
                    metadata.put("namespace", namespace.toString());
                }
            }
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

    /** RFC 6902 add, replace and remove on every resource of the target's kind and name. */
    private static void applyJson6902(Path file, List<Map<String, Object>> resources, Map<String, Object> target,
            List<Object> operations) {
        if (!Set.of("kind", "name").containsAll(target.keySet())) {
            throw new IllegalStateException(file + ": only targets by kind and name are rendered: " + target);
        }
        List<Map<String, Object>> targets = resources.stream()
                .filter(r -> target.entrySet().stream().allMatch(e -> e.getValue().equals(
                        e.getKey().equals("kind") ? r.get("kind") : Yaml.at(r, "metadata", "name"))))
                .toList();
        if (targets.isEmpty()) {
            throw new IllegalStateException(file + ": the patch's target does not exist: " + target);
        }
        for (Map<String, Object> resource : targets) {
            for (Object item : operations) {
                Map<String, Object> operation = Yaml.map(item);
                String op = Yaml.stringAt(operation, "op");
                List<String> path = pointer(Yaml.stringAt(operation, "path"));
                Object parent = resource;
                for (String token : path.subList(0, path.size() - 1)) {
                    parent = parent instanceof List<?> list ? list.get(Integer.parseInt(token)) : Yaml.map(parent).get(token);
                    if (parent == null) {
                        throw new IllegalStateException(file + ": no " + operation.get("path") + " in " + target);
                    }
                }
                String last = path.get(path.size() - 1);
                setAt(file, parent, last, op, operation);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void setAt(Path file, Object parent, String last, String op, Map<String, Object> operation) {
        boolean known = parent instanceof List<?> list ? !last.equals("-") && Integer.parseInt(last) < list.size()
                : Yaml.map(parent).containsKey(last);
        if (!op.equals("add") && !known) {
            throw new IllegalStateException(file + ": " + op + " of a missing " + operation.get("path"));
        }
        Object value = operation.get("value");
        if (parent instanceof List<?>) {
            List<Object> list = (List<Object>) parent;
            int index = last.equals("-") ? list.size() : Integer.parseInt(last);
            switch (op) {
                case "add" -> list.add(index, value);
                case "replace" -> list.set(index, value);
                case "remove" -> list.remove(index);
                default -> throw new IllegalStateException(file + ": the test rendering does not know op " + op);
            }
        } else {
            Map<String, Object> map = Yaml.map(parent);
            switch (op) {
                case "add", "replace" -> map.put(last, value);
                case "remove" -> map.remove(last);
                default -> throw new IllegalStateException(file + ": the test rendering does not know op " + op);
            }
        }
    }

    /** A JSON pointer's reference tokens ("/spec/a~1b/0" -> spec, a/b, 0). */
    private static List<String> pointer(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalStateException("not a JSON pointer: " + path);
        }
        return java.util.Arrays.stream(path.substring(1).split("/", -1))
                .map(t -> t.replace("~1", "/").replace("~0", "~")).toList();
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
            // kustomize's order: the patch's items (merged into the base's of the same key), then the base's others
            List<Object> merged = new ArrayList<>();
            List<Object> rest = new ArrayList<>(baseList);
            for (Object item : patchList) {
                int index = indexOf(rest, mergeKey, Yaml.map(item).get(mergeKey));
                merged.add(index < 0 ? item : merge(rest.remove(index), item, null));
            }
            merged.addAll(rest);
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
