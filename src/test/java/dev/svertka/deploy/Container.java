package dev.svertka.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Svertka container as its definition has it (a pod template of a Deployment or Job, or a compose service):
 * the image, its arguments, environment, volumes, user and memory limit, with every ConfigMap and Secret it
 * refers to resolved. Whatever it refers to and cannot be found is an error, so a dangling reference fails.
 */
record Container(String name, String image, List<String> args, Map<String, String> env, List<Mount> mounts,
        int uid, boolean readOnlyRoot, Optional<Long> memoryLimit) {

    /**
     * A volume at {@code path}: a shared one by {@code volume} (a PVC's claim, a compose named volume), the pod's
     * own scratch space (emptyDir, with its subPath), or the files of a ConfigMap.
     */
    record Mount(String path, String volume, boolean readOnly, Map<String, String> files) {
    }

    private static final Pattern REQUIRED = Pattern.compile("\\$\\{(\\w+)(?::?\\?[^}]*)?}");
    private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi)?");

    /**
     * The containers of a workload's pod template (named {@code pod}) in a rendering; {@code secrets} are the
     * Secrets made outside the manifests, by name.
     */
    static List<Container> ofPod(String pod, Map<String, Object> workload, List<Map<String, Object>> rendering,
            Map<String, Map<String, String>> secrets) {
        Map<String, Object> spec = Yaml.mapAt(workload, "spec", "template", "spec");
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        for (Map<String, Object> volume : Yaml.mapsAt(spec, "volumes")) {
            volumes.put(Yaml.stringAt(volume, "name"), volume);
        }
        List<Container> containers = new ArrayList<>();
        for (Map<String, Object> container : Yaml.mapsAt(spec, "containers")) {
            Map<String, String> env = new LinkedHashMap<>();
            for (Map<String, Object> source : Yaml.mapsAt(container, "envFrom")) {
                env.putAll(envFrom(source, rendering, secrets));
            }
            for (Map<String, Object> variable : Yaml.mapsAt(container, "env")) {
                env.put(Yaml.stringAt(variable, "name"), value(variable, rendering, secrets));
            }
            List<Mount> mounts = new ArrayList<>();
            for (Map<String, Object> mount : Yaml.mapsAt(container, "volumeMounts")) {
                String volumeName = Yaml.stringAt(mount, "name");
                Map<String, Object> volume = volumes.get(volumeName);
                if (volume == null) {
                    throw new IllegalStateException(pod + " mounts volume " + volumeName + ", which it does not define");
                }
                mounts.add(mount(pod, mount, volume, rendering));
            }
            Map<String, Object> security = new LinkedHashMap<>(Yaml.mapAt(spec, "securityContext"));
            security.putAll(Yaml.mapAt(container, "securityContext"));
            Object uid = security.get("runAsUser");
            if (uid == null) {
                throw new IllegalStateException(pod + " sets no runAsUser");
            }
            Object memory = Yaml.mapAt(container, "resources", "limits").get("memory");
            containers.add(new Container(pod + "/" + Yaml.stringAt(container, "name"), Yaml.stringAt(container, "image"),
                    Yaml.listAt(container, "args").stream().map(Object::toString).toList(), env, mounts,
                    ((Number) uid).intValue(), Boolean.TRUE.equals(security.get("readOnlyRootFilesystem")),
                    Optional.ofNullable(memory).map(m -> bytes(m.toString()))));
        }
        return containers;
    }

    /**
     * A compose service's container, with {@code ${VAR:?message}} in its environment taken from {@code shell}
     * (the variables of the shell that runs {@code docker compose}); it runs as its image's user.
     */
    static Container ofService(String name, Map<String, Object> service, Map<String, String> shell, int imageUid) {
        Map<String, String> env = new LinkedHashMap<>();
        Yaml.mapAt(service, "environment").forEach((key, value) -> env.put(key, interpolate(value.toString(), shell)));
        List<Mount> mounts = new ArrayList<>();
        for (Object volume : Yaml.listAt(service, "volumes")) {
            String[] parts = volume.toString().split(":");
            mounts.add(new Mount(parts[1], "volume/" + parts[0], parts.length > 2 && parts[2].equals("ro"), Map.of()));
        }
        return new Container(name, Yaml.stringAt(service, "image"),
                Yaml.listAt(service, "command").stream().map(Object::toString).toList(), env, mounts, imageUid,
                Boolean.TRUE.equals(service.get("read_only")), Optional.empty());
    }

    private static Map<String, String> envFrom(Map<String, Object> source, List<Map<String, Object>> rendering,
            Map<String, Map<String, String>> secrets) {
        if (source.containsKey("configMapRef")) {
            return configMap(Yaml.stringAt(source, "configMapRef", "name"), rendering);
        }
        Map<String, Object> ref = Yaml.mapAt(source, "secretRef");
        String secret = Yaml.stringAt(ref, "name");
        Map<String, String> data = secrets.get(secret);
        if (data == null && !Boolean.TRUE.equals(ref.get("optional"))) {
            throw new IllegalStateException("Secret " + secret + " is required but not one the deployment documents");
        }
        return data == null ? Map.of() : data;
    }

    private static String value(Map<String, Object> variable, List<Map<String, Object>> rendering,
            Map<String, Map<String, String>> secrets) {
        if (variable.containsKey("value")) {
            return variable.get("value").toString();
        }
        Map<String, Object> from = Yaml.mapAt(variable, "valueFrom");
        if (from.containsKey("configMapKeyRef")) {
            return key(configMap(Yaml.stringAt(from, "configMapKeyRef", "name"), rendering),
                    Yaml.stringAt(from, "configMapKeyRef", "key"), "ConfigMap");
        }
        String secret = Yaml.stringAt(from, "secretKeyRef", "name");
        Map<String, String> data = secrets.get(secret);
        if (data == null) {
            throw new IllegalStateException("Secret " + secret + " is not one the deployment documents");
        }
        return key(data, Yaml.stringAt(from, "secretKeyRef", "key"), "Secret " + secret);
    }

    private static String key(Map<String, String> data, String key, String what) {
        String value = data.get(key);
        if (value == null) {
            throw new IllegalStateException(what + " has no key " + key);
        }
        return value;
    }

    private static Mount mount(String pod, Map<String, Object> mount, Map<String, Object> volume,
            List<Map<String, Object>> rendering) {
        String path = Yaml.stringAt(mount, "mountPath");
        boolean readOnly = Boolean.TRUE.equals(mount.get("readOnly"));
        if (volume.containsKey("configMap")) {
            return new Mount(path, null, true, configMap(Yaml.stringAt(volume, "configMap", "name"), rendering));
        }
        if (volume.containsKey("persistentVolumeClaim")) {
            return new Mount(path, "pvc/" + Yaml.stringAt(volume, "persistentVolumeClaim", "claimName"), readOnly,
                    Map.of());
        }
        if (volume.containsKey("emptyDir")) {
            Object subPath = mount.get("subPath");
            return new Mount(path, "pod/" + pod + "/" + Yaml.stringAt(volume, "name")
                    + (subPath == null ? "" : "/" + subPath), readOnly, Map.of());
        }
        throw new IllegalStateException(pod + ": a volume of a kind this test cannot provide: " + volume.keySet());
    }

    private static Map<String, String> configMap(String name, List<Map<String, Object>> rendering) {
        Map<String, String> data = new LinkedHashMap<>();
        Map<String, Object> found = rendering.stream()
                .filter(r -> "ConfigMap".equals(r.get("kind")) && name.equals(Yaml.stringAt(r, "metadata", "name")))
                .findFirst().orElseThrow(() -> new IllegalStateException("no ConfigMap " + name + " in the rendering"));
        Yaml.mapAt(found, "data").forEach((key, value) -> data.put(key, value.toString()));
        return data;
    }

    private static String interpolate(String value, Map<String, String> shell) {
        Matcher variable = REQUIRED.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (variable.find()) {
            String found = shell.get(variable.group(1));
            if (found == null) {
                throw new IllegalStateException("compose needs ${" + variable.group(1) + "} set in the shell");
            }
            variable.appendReplacement(resolved, Matcher.quoteReplacement(found));
        }
        return variable.appendTail(resolved).toString();
    }

    private static long bytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity);
        if (!m.matches()) {
            throw new IllegalStateException("memory quantity " + quantity);
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            default -> 30;
        };
        return Long.parseLong(m.group(1)) << shift;
    }
}
