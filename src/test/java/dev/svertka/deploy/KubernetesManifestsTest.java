package dev.svertka.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Renders k8s/base and every overlay (as kustomize would) and checks the invariants a cluster
 * would only reveal at run time: selectors, probes, ports, the environment the app really reads,
 * autoscaler targets and limits, the registry volume, the topics, the GPU trainer.
 */
class KubernetesManifestsTest {

    private static final Path K8S = AppConfig.ROOT.resolve("k8s");
    private static final String BASE = "base";
    private static final String HPA = "overlays/hpa";
    private static final String GPU = "overlays/gpu";
    private static final String GPU_INFERENCE = "overlays/gpu-inference";
    private static final String SASL = "overlays/sasl";
    /** The KEDA Kafka scaler's trigger metadata and authentication parameters (KEDA 2.16's documentation). */
    private static final Set<String> KEDA_KAFKA_METADATA = Set.of("bootstrapServers", "consumerGroup", "topic",
            "lagThreshold", "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset",
            "excludePersistentLag", "limitToPartitionsWithLag", "version", "partitionLimitation", "sasl",
            "saslTokenProvider", "tls", "unsafeSsl", "awsRegion");
    private static final Set<String> KEDA_KAFKA_AUTH = Set.of("sasl", "saslTokenProvider", "username", "password",
            "keytab", "realm", "kerberosConfig", "kerberosServiceName", "kerberosDisableFAST", "oauthTokenEndpointUri",
            "scopes", "oauthExtensions", "tls", "ca", "cert", "key", "keyPassword", "awsRoleArn", "awsAccessKeyID",
            "awsSecretAccessKey");
    /** The KafkaTopics, apart: they live in the Kafka cluster's namespace, the application in its own. */
    private static final String TOPICS = "topics";
    private static final String REGISTRY_CLAIM = "svertka-registry";
    /** Slack between the drain time and terminationGracePeriodSeconds: enough to exit, not more. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(10);

    private static AppConfig app;
    private static Dockerfile docker;
    private static Rendering topics;

    @BeforeAll
    static void read() throws IOException {
        app = AppConfig.load();
        docker = Dockerfile.read();
        topics = render(TOPICS);
    }

    @Test
    void everyManifestBelongsToAKustomization() throws IOException {
        Set<Path> used = new HashSet<>();
        for (String dir : List.of(BASE, HPA, GPU, GPU_INFERENCE, SASL, TOPICS)) {
            used.addAll(Kustomize.files(K8S.resolve(dir)));
        }
        try (Stream<Path> files = Files.walk(K8S)) {
            List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml")).map(Path::normalize).toList();
            assertThat(used).containsAll(yaml);
            assertThat(yaml).hasSizeGreaterThanOrEqualTo(10);
        }
        try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
            assertThat(overlays.map(p -> "overlays/" + p.getFileName())).containsExactlyInAnyOrder(HPA, GPU, GPU_INFERENCE, SASL);
        }
    }

    /**
     * The test rendering is what {@code kubectl kustomize} makes of each kustomization, resource for resource (kubectl
     * sorts them by kind; the order within a resource counts), where kubectl is installed.
     */
    @ParameterizedTest
    @ValueSource(strings = {BASE, HPA, GPU, GPU_INFERENCE, SASL, TOPICS})
    void theRenderingIsWhatKubectlKustomizeMakes(String dir) throws Exception {
        Optional<Path> kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(p -> Path.of(p, "kubectl")).filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(kubectl.isPresent(), "no kubectl on the PATH");
        Path out = Files.createTempFile("kustomize", ".yaml");
        try {
            Process process = new ProcessBuilder(kubectl.get().toString(), "kustomize", K8S.resolve(dir).toString())
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertThat(process.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).as("kubectl kustomize ends").isTrue();
            assertThat(process.exitValue()).isZero();
            java.util.Comparator<Map<String, Object>> byId = java.util.Comparator.comparing(
                    r -> r.get("kind") + "/" + Yaml.at(r, "metadata", "namespace") + "/" + Yaml.at(r, "metadata", "name"));
            List<Map<String, Object>> theirs = Yaml.loadAll(out).stream().sorted(byId).toList();
            assertThat(render(dir).resources.stream().sorted(byId).toList()).isEqualTo(theirs);
        } finally {
            Files.delete(out);
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void resourcesAreNamedOnceAndLabelled(Rendering k8s) {
        Set<String> ids = new HashSet<>();
        for (Map<String, Object> resource : k8s.resources) {
            assertThat(resource).containsKeys("apiVersion", "kind");
            String id = resource.get("kind") + "/" + Yaml.stringAt(resource, "metadata", "name");
            assertThat(ids.add(id)).as(id + " appears once").isTrue();
            assertThat(Yaml.mapAt(resource, "metadata", "labels")).containsEntry("app.kubernetes.io/part-of", "svertka");
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void selectorsMatchTheirPods(Rendering k8s) {
        List<Map<String, Object>> podLabels = k8s.workloads().stream()
                .map(w -> Yaml.mapAt(w, "spec", "template", "metadata", "labels")).toList();
        for (Map<String, Object> deployment : k8s.all("Deployment")) {
            Map<String, Object> selector = Yaml.mapAt(deployment, "spec", "selector", "matchLabels");
            assertThat(selector).isNotEmpty();
            assertThat(Yaml.mapAt(deployment, "spec", "template", "metadata", "labels")).containsAllEntriesOf(selector);
        }
        for (Map<String, Object> service : k8s.all("Service")) {
            Map<String, Object> selector = Yaml.mapAt(service, "spec", "selector");
            Map<String, Object> pod = k8s.podOf(selector);
            List<String> portNames = Yaml.mapsAt(pod, "spec", "template", "spec", "containers").stream()
                    .flatMap(c -> Yaml.mapsAt(c, "ports").stream()).map(p -> Yaml.stringAt(p, "name")).toList();
            for (Map<String, Object> port : Yaml.mapsAt(service, "spec", "ports")) {
                assertThat(portNames).contains(Yaml.stringAt(port, "targetPort"));
            }
        }
        for (Map<String, Object> budget : k8s.all("PodDisruptionBudget")) {
            assertThat(podLabels).anySatisfy(labels -> assertThat(labels)
                    .containsAllEntriesOf(Yaml.mapAt(budget, "spec", "selector", "matchLabels")));
        }
    }

    /** Every Svertka container runs a command the app knows; servers are probed where the app answers. */
    @ParameterizedTest
    @MethodSource("renderings")
    void svertkaContainersRunKnownCommandsWithProbesResourcesAndScraping(Rendering k8s) throws IOException {
        Set<String> commands = AppConfig.commands();
        for (Map<String, Object> workload : k8s.workloads()) {
            Map<String, Object> pod = Yaml.mapAt(workload, "spec", "template");
            for (Map<String, Object> container : Yaml.mapsAt(pod, "spec", "containers")) {
                String name = workload.get("kind") + " " + Yaml.stringAt(workload, "metadata", "name");
                String image = Yaml.stringAt(container, "image");
                assertThat(image).as(name).matches("(.+/)?svertka(-trainer|-cuda|-gpu)?[:@].+");
                String command = Yaml.listAt(container, "args").get(0).toString();
                assertThat(commands).as(name).contains(command);
                assertThat(Dockerfile.targetOf(image)).as(name + " runs " + command + " from the image made for it")
                        .isEqualTo(Dockerfile.targetFor(command));
                assertResources(name, container);
                if (!AppConfig.SERVER_COMMANDS.contains(command)) {
                    assertThat(Yaml.at(container, "ports")).as(name + " listens on nothing").isNull();
                    continue;
                }
                Map<String, Object> port = Yaml.mapsAt(container, "ports").get(0);
                assertThat(port).containsEntry("name", "http").containsEntry("containerPort", app.httpPort());
                for (String probe : List.of("startupProbe", "livenessProbe")) {
                    assertThat(Yaml.at(container, probe, "httpGet", "path")).as(name + " " + probe).isEqualTo(app.livenessPath());
                    assertThat(Yaml.at(container, probe, "httpGet", "port")).isEqualTo("http");
                }
                assertThat(Yaml.at(container, "readinessProbe", "httpGet", "path")).isEqualTo(app.readinessPath());
                assertThat(Yaml.at(container, "readinessProbe", "httpGet", "port")).isEqualTo("http");
                assertThat(Yaml.mapAt(pod, "metadata", "annotations"))
                        .containsEntry("prometheus.io/scrape", "true")
                        .containsEntry("prometheus.io/port", String.valueOf(app.httpPort()))
                        .containsEntry("prometheus.io/path", app.metricsPath());
            }
        }
    }

    /**
     * Every container runs a pinned image: the release's tag (pom.xml's version, less -SNAPSHOT) or a digest, never
     * {@code latest} or no tag, which move under a running Deployment: pods of one ReplicaSet would run different builds.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void imagesArePinnedToTheReleaseOrADigest(Rendering k8s) throws IOException {
        String release = projectVersion().replaceFirst("-SNAPSHOT$", "");
        for (Map<String, Object> spec : k8s.podSpecs()) {
            List<Map<String, Object>> containers = new ArrayList<>(Yaml.mapsAt(spec, "containers"));
            containers.addAll(Yaml.mapsAt(spec, "initContainers"));
            for (Map<String, Object> container : containers) {
                assertThat(Yaml.stringAt(container, "image")).as(Yaml.stringAt(container, "name"))
                        .matches("(.+/)?svertka(-trainer|-cuda|-gpu)?(:" + java.util.regex.Pattern.quote(release)
                                + "|@sha256:[0-9a-f]{64})");
            }
        }
    }

    /** Pods get the time the app drains in: preStop sleep + shutdown timeout, plus a small margin. */
    @ParameterizedTest
    @MethodSource("renderings")
    void graceMatchesTheDrainTime(Rendering k8s) {
        for (Map<String, Object> deployment : k8s.all("Deployment")) {
            Map<String, Object> spec = Yaml.mapAt(deployment, "spec", "template", "spec");
            Map<String, Object> container = Yaml.mapsAt(spec, "containers").get(0);
            Duration drain = app.drainTime(k8s.env(container));
            assertThat(drain).as("a Kafka consumer needs time to finish and commit").isGreaterThan(Duration.ZERO);
            List<Object> preStop = Yaml.listAt(container, "lifecycle", "preStop", "exec", "command");
            Duration sleep = preStop.isEmpty() ? Duration.ZERO : Duration.ofSeconds(Long.parseLong(preStop.get(1).toString()));
            Duration grace = Duration.ofSeconds(((Number) spec.get("terminationGracePeriodSeconds")).longValue());
            assertThat(grace).isGreaterThan(sleep.plus(drain)).isLessThanOrEqualTo(sleep.plus(drain).plus(EXIT_MARGIN));
        }
    }

    /**
     * Every variable a Svertka container gets, from its ConfigMaps, its env entries and the Secrets it takes whole,
     * is one the app reads: a setting of its own, or (KAFKA_*) a real Kafka client property.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void environmentIsWhatTheAppReads(Rendering k8s) throws IOException {
        Map<String, Set<String>> documented = documentedSecrets();
        for (Map<String, Object> container : k8s.containers()) {
            Set<String> names = new HashSet<>(k8s.env(container).keySet());
            Yaml.mapsAt(container, "envFrom").stream().map(source -> Yaml.stringAt(source, "secretRef", "name"))
                    .filter(Objects::nonNull).forEach(secret -> names.addAll(documented.getOrDefault(secret, Set.of())));
            assertThat(names).isNotEmpty()
                    .allSatisfy(name -> assertThat(app.readsEnv(name)).as(name + " is read by the app").isTrue());
        }
        Map<String, Object> config = k8s.named("ConfigMap", "svertka");
        assertThat(Yaml.mapAt(config, "data")).containsKeys("KAFKA_BOOTSTRAP_SERVERS", "SVERTKA_SERVE_MODEL");
    }

    /**
     * Every ConfigMap, Secret and key a pod or KEDA refers to is there: ConfigMaps and their keys in the rendering,
     * Secrets in it or made by the operator as README's Kubernetes section says (its kubectl create secret lines,
     * with those keys). None is optional: a missing one would only show as a pod that misbehaves.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void everyConfigMapSecretAndKeyReferredToExists(Rendering k8s) throws IOException {
        Map<String, Set<String>> documented = documentedSecrets();
        for (Map<String, Object> container : k8s.containers()) {
            for (Map<String, Object> source : Yaml.mapsAt(container, "envFrom")) {
                String kind = source.containsKey("secretRef") ? "Secret" : "ConfigMap";
                Map<String, Object> ref = Yaml.mapAt(source, kind.equals("Secret") ? "secretRef" : "configMapRef");
                assertThat(ref.get("optional")).as(ref + " optional").isNotEqualTo(true);
                k8s.keysOf(kind, Yaml.stringAt(ref, "name"), documented);
            }
            for (Map<String, Object> variable : Yaml.mapsAt(container, "env")) {
                for (String kind : List.of("ConfigMap", "Secret")) {
                    Map<String, Object> ref = Yaml.mapAt(variable, "valueFrom", kind.equals("Secret") ? "secretKeyRef" : "configMapKeyRef");
                    if (!ref.isEmpty()) {
                        assertThat(ref.get("optional")).as(ref + " optional").isNotEqualTo(true);
                        assertThat(k8s.keysOf(kind, Yaml.stringAt(ref, "name"), documented))
                                .as(variable.get("name") + " from " + ref).contains(Yaml.stringAt(ref, "key"));
                    }
                }
            }
        }
        for (Map<String, Object> spec : k8s.podSpecs()) {
            for (Map<String, Object> volume : Yaml.mapsAt(spec, "volumes")) {
                for (String kind : List.of("ConfigMap", "Secret")) {
                    Map<String, Object> source = Yaml.mapAt(volume, kind.equals("Secret") ? "secret" : "configMap");
                    if (!source.isEmpty()) {
                        Set<String> keys = k8s.keysOf(kind, Yaml.stringAt(source, kind.equals("Secret") ? "secretName" : "name"),
                                documented);
                        assertThat(source.get("optional")).as(volume + " optional").isNotEqualTo(true);
                        Yaml.mapsAt(source, "items").forEach(item -> assertThat(keys).contains(Yaml.stringAt(item, "key")));
                    }
                }
            }
        }
        for (Map<String, Object> auth : k8s.all("TriggerAuthentication")) {
            for (Map<String, Object> ref : Yaml.mapsAt(auth, "spec", "secretTargetRef")) {
                assertThat(k8s.keysOf("Secret", Yaml.stringAt(ref, "name"), documented)).as("KEDA's " + ref.get("parameter"))
                        .contains(Yaml.stringAt(ref, "key"));
            }
        }
    }

    /**
     * Pods mount volumes only where the app reads or writes: the registry root it is configured with, /tmp (natives
     * unpack there), the image user's home (caches, and the trainers' run directories), and the folder of a file its
     * arguments name. The trainers' run directories land on a writable mount.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void volumesAreMountedWhereTheAppReadsAndWrites(Rendering k8s) throws IOException {
        String runtime = docker.stage(Dockerfile.RUNTIME).instructions().stream()
                .map(i -> i.keyword() + " " + i.arguments()).collect(Collectors.joining("\n"));
        String home = runtime.replaceAll("(?s).*--home-dir (\\S+).*", "$1");
        String imageRuns = runtime.replaceAll("(?s).*SVERTKA_TRAINER_RUNS=(\\S+).*", "$1");
        assertThat(home).startsWith("/");
        for (Map<String, Object> spec : k8s.podSpecs()) {
            Map<String, Object> container = Yaml.mapsAt(spec, "containers").get(0);
            Map<String, String> env = k8s.env(container);
            List<String> args = Yaml.listAt(container, "args").stream().map(Object::toString).toList();
            Set<String> readOrWritten = new HashSet<>(Set.of("/tmp", home, env.get("SVERTKA_SERVE_REGISTRY")));
            args.stream().filter(a -> a.startsWith("/")).map(a -> Path.of(a).getParent().toString()).forEach(readOrWritten::add);
            List<Map<String, Object>> mounts = Yaml.mapsAt(container, "volumeMounts");
            assertThat(mounts).extracting(m -> m.get("mountPath")).as(String.join(" ", args)).isNotEmpty()
                    .allSatisfy(path -> assertThat(readOrWritten).contains(path.toString()));
            if (Dockerfile.targetFor(args.get(0)).equals("trainer")) {
                String runs = env.getOrDefault("SVERTKA_TRAINER_RUNS", imageRuns);
                assertThat(mounts).as(runs + " is written").anySatisfy(m -> {
                    assertThat(Path.of(runs).startsWith(m.get("mountPath").toString())).isTrue();
                    assertThat(m.get("readOnly")).isNotEqualTo(true);
                });
            }
        }
    }

    /**
     * Network policies isolate every Svertka pod both ways and then let it reach DNS (kube-system, port 53, UDP and
     * TCP) and the Kafka cluster of its bootstrap address (that cluster's pods, in its namespace, on its port), nothing
     * else; only the server roles take connections, on their HTTP port.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void networkPoliciesAllowDnsKafkaAndTheServersHttpOnly(Rendering k8s) {
        Bootstrap kafka = k8s.bootstrap();
        for (Map<String, Object> workload : k8s.workloads()) {
            Map<String, Object> labels = Yaml.mapAt(workload, "spec", "template", "metadata", "labels");
            Map<String, Object> container = Yaml.mapsAt(workload, "spec", "template", "spec", "containers").get(0);
            String name = workload.get("kind") + " " + Yaml.stringAt(workload, "metadata", "name");
            List<Map<String, Object>> policies = k8s.all("NetworkPolicy").stream()
                    .filter(p -> selects(Yaml.mapAt(p, "spec", "podSelector"), labels)).toList();
            assertThat(policies.stream().flatMap(p -> Yaml.listAt(p, "spec", "policyTypes").stream()))
                    .as(name + " is isolated").contains("Ingress", "Egress");
            List<Map<String, Object>> egress = policies.stream().flatMap(p -> Yaml.mapsAt(p, "spec", "egress").stream()).toList();
            assertThat(egress).as(name + " egress").allSatisfy(rule -> {
                List<Map<String, Object>> to = Yaml.mapsAt(rule, "to");
                assertThat(to).as("no rule lets it reach anything").isNotEmpty();
                boolean dns = to.stream().allMatch(peer -> inNamespace(peer, "kube-system")
                        && "kube-dns".equals(Yaml.at(peer, "podSelector", "matchLabels", "k8s-app")));
                boolean broker = to.stream().allMatch(peer -> inNamespace(peer, kafka.namespace())
                        && kafka.cluster().equals(Yaml.at(peer, "podSelector", "matchLabels", "strimzi.io/cluster")));
                assertThat(Yaml.mapsAt(rule, "ports")).as(name + " " + rule).isNotEmpty().allSatisfy(port -> assertThat(
                        dns && port.get("port").equals(53) || broker && port.get("port").equals(kafka.port())
                                && port.get("protocol").equals("TCP")).isTrue());
            });
            for (String protocol : List.of("UDP", "TCP")) {
                assertThat(egress).as(name + " resolves names over " + protocol).anySatisfy(rule -> assertThat(
                        Yaml.mapsAt(rule, "ports")).contains(Map.of("protocol", protocol, "port", 53)));
            }
            assertThat(egress).as(name + " reaches Kafka").anySatisfy(rule -> assertThat(Yaml.mapsAt(rule, "ports"))
                    .contains(Map.of("protocol", "TCP", "port", kafka.port())));
            List<Map<String, Object>> ingress = policies.stream().flatMap(p -> Yaml.mapsAt(p, "spec", "ingress").stream()).toList();
            boolean server = AppConfig.SERVER_COMMANDS.contains(Yaml.listAt(container, "args").get(0).toString());
            assertThat(ingress.isEmpty()).as(name + " takes connections, being a server").isEqualTo(!server);
            assertThat(ingress).allSatisfy(rule -> assertThat(Yaml.mapsAt(rule, "ports")).as(name + " on its HTTP port only")
                    .isNotEmpty().allSatisfy(port -> assertThat(port.get("port")).isIn("http", app.httpPort())));
        }
    }

    private static boolean inNamespace(Map<String, Object> peer, String namespace) {
        return namespace.equals(Yaml.at(peer, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
    }

    /** Whether a label selector (matchLabels, matchExpressions) selects these labels. */
    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        if (!labels.entrySet().containsAll(Yaml.mapAt(selector, "matchLabels").entrySet())) {
            return false;
        }
        return Yaml.mapsAt(selector, "matchExpressions").stream().allMatch(e -> {
            Object value = labels.get(Yaml.stringAt(e, "key"));
            List<Object> values = Yaml.listAt(e, "values");
            return switch (Yaml.stringAt(e, "operator")) {
                case "In" -> values.contains(value);
                case "NotIn" -> !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new IllegalStateException("operator of " + e);
            };
        });
    }

    /** The Secrets README's Kubernetes section tells the operator to create, with their keys. */
    static Map<String, Set<String>> documentedSecrets() throws IOException {
        String readme = Files.readString(AppConfig.ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Run on Kubernetes");
        assertThat(start).as("README has a Kubernetes section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end).replace("\\\n", " ");
        Map<String, Set<String>> secrets = new java.util.HashMap<>();
        java.util.regex.Matcher command = java.util.regex.Pattern
                .compile("create secret generic ([a-z0-9.-]+)([^`\\n]*)").matcher(section);
        while (command.find()) {
            Set<String> keys = secrets.computeIfAbsent(command.group(1), n -> new HashSet<>());
            java.util.regex.Matcher key = java.util.regex.Pattern.compile("--from-(?:literal|file)=([^=\\s]+)=").matcher(command.group(2));
            while (key.find()) {
                keys.add(key.group(1));
            }
        }
        return secrets;
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void podsRunAsTheImagesNonRootUser(Rendering k8s) {
        // the namespace admits only pods of the "restricted" Pod Security Standard, which these checks spell out
        assertThat(Yaml.mapAt(k8s.all("Namespace").get(0), "metadata", "labels"))
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        for (Map<String, Object> spec : k8s.podSpecs()) {
            assertThat(spec).as("no pod talks to the Kubernetes API").containsEntry("automountServiceAccountToken", false);
            assertThat(Yaml.mapAt(spec, "securityContext"))
                    .containsEntry("runAsNonRoot", true)
                    .containsEntry("runAsUser", docker.runtimeUid())
                    .containsEntry("fsGroup", docker.runtimeUid())
                    .containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
            Set<String> volumes = Yaml.mapsAt(spec, "volumes").stream().map(v -> Yaml.stringAt(v, "name")).collect(Collectors.toSet());
            for (Map<String, Object> container : Yaml.mapsAt(spec, "containers")) {
                assertThat(Yaml.at(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
                assertThat(Yaml.listAt(container, "securityContext", "capabilities", "drop")).contains("ALL");
                List<Map<String, Object>> mounts = Yaml.mapsAt(container, "volumeMounts");
                assertThat(mounts).allSatisfy(m -> assertThat(volumes).contains(Yaml.stringAt(m, "name")));
                if (Boolean.TRUE.equals(Yaml.at(container, "securityContext", "readOnlyRootFilesystem"))) {
                    assertThat(mounts).as("natives unpack to /tmp").anySatisfy(m -> assertThat(m.get("mountPath")).isEqualTo("/tmp"));
                }
            }
        }
    }

    /**
     * Models travel on a ReadWriteMany volume of a named storage class: the trainer writes it, inference reads it, at
     * the configured root.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void theRegistryIsSharedAtTheConfiguredPath(Rendering k8s) {
        Map<String, Object> claim = k8s.named("PersistentVolumeClaim", REGISTRY_CLAIM);
        assertThat(Yaml.listAt(claim, "spec", "accessModes")).containsExactly("ReadWriteMany");
        assertThat(Yaml.stringAt(claim, "spec", "storageClassName"))
                .as("a class that offers ReadWriteMany, named: the default class is rarely one").isNotBlank();
        for (Map<String, Object> spec : k8s.podSpecs()) {
            String volume = Yaml.mapsAt(spec, "volumes").stream()
                    .filter(v -> REGISTRY_CLAIM.equals(Yaml.at(v, "persistentVolumeClaim", "claimName")))
                    .map(v -> Yaml.stringAt(v, "name")).findFirst().orElseThrow();
            Map<String, Object> container = Yaml.mapsAt(spec, "containers").get(0);
            Map<String, Object> mount = Yaml.mapsAt(container, "volumeMounts").stream()
                    .filter(m -> volume.equals(m.get("name"))).findFirst().orElseThrow();
            assertThat(mount.get("mountPath")).isEqualTo(k8s.env(container).get("SVERTKA_SERVE_REGISTRY"));
            boolean serves = Yaml.listAt(container, "args").get(0).equals("serve");
            assertThat(Boolean.TRUE.equals(mount.get("readOnly"))).as("only inference mounts it read-only").isEqualTo(serves);
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void inferenceSpreadsOverNodesAndSurvivesDrains(Rendering k8s) {
        Map<String, Object> inference = k8s.servingDeployment();
        Map<String, Object> labels = Yaml.mapAt(inference, "spec", "template", "metadata", "labels");
        List<Map<String, Object>> terms = Yaml.mapsAt(inference, "spec", "template", "spec", "affinity",
                "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution");
        assertThat(terms).anySatisfy(term -> {
            assertThat(Yaml.at(term, "podAffinityTerm", "topologyKey")).isEqualTo("kubernetes.io/hostname");
            assertThat(Yaml.mapAt(term, "podAffinityTerm", "labelSelector", "matchLabels")).isEqualTo(labels);
        });
        assertThat(Yaml.at(inference, "spec", "replicas")).as("the autoscaler owns the replica count").isNull();
        List<Map<String, Object>> budgets = k8s.all("PodDisruptionBudget");
        assertThat(budgets).singleElement().satisfies(budget -> {
            assertThat(labels).containsAllEntriesOf(Yaml.mapAt(budget, "spec", "selector", "matchLabels"));
            assertThat(Yaml.at(budget, "spec", "maxUnavailable")).as("never blocks a node drain").isEqualTo(1);
        });
    }

    /** One autoscaler per overlay, on the inference Deployment, never above the partitions of images. */
    @ParameterizedTest
    @MethodSource("renderings")
    void autoscalingTargetsInferenceWithinThePartitions(Rendering k8s) {
        List<Map<String, Object>> scalers = new ArrayList<>(k8s.all("ScaledObject"));
        scalers.addAll(k8s.all("HorizontalPodAutoscaler"));
        assertThat(scalers).as("two autoscalers on one Deployment fight").hasSize(1);
        Map<String, Object> scaler = scalers.get(0);
        Map<String, Object> inference = k8s.servingDeployment();
        assertThat(Yaml.mapAt(scaler, "spec", "scaleTargetRef")).containsEntry("kind", "Deployment")
                .containsEntry("name", Yaml.stringAt(inference, "metadata", "name"));
        int partitions = (Integer) Yaml.at(topics.topic(app.imagesTopic()), "spec", "partitions");
        boolean keda = scaler.get("kind").equals("ScaledObject");
        int max = (Integer) Yaml.at(scaler, "spec", keda ? "maxReplicaCount" : "maxReplicas");
        int min = (Integer) Yaml.at(scaler, "spec", keda ? "minReplicaCount" : "minReplicas");
        assertThat(max).as("a consumer beyond the partitions of " + app.imagesTopic() + " sits idle")
                .isEqualTo(partitions);
        assertThat(min).isBetween(1, max);
        if (keda) {
            Map<String, Object> trigger = Yaml.mapsAt(scaler, "spec", "triggers").get(0);
            Map<String, Object> spec = Yaml.mapAt(inference, "spec", "template", "spec");
            Map<String, String> env = k8s.env(Yaml.mapsAt(spec, "containers").get(0));
            assertThat(trigger.get("type")).isEqualTo("kafka");
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).as("KEDA resolves it from its own namespace: the full name")
                    .matches("[a-z0-9-]+\\.[a-z0-9-]+\\.svc(\\.[a-z.]+)?:[0-9]+");
            assertThat(Yaml.mapAt(trigger, "metadata"))
                    .containsEntry("bootstrapServers", env.get("KAFKA_BOOTSTRAP_SERVERS"))
                    .containsEntry("consumerGroup", app.consumerGroup())
                    .containsEntry("topic", app.imagesTopic())
                    .containsEntry("offsetResetPolicy", app.offsetReset())
                    .containsEntry("allowIdleConsumers", "false");
        } else {
            assertThat(Yaml.at(Yaml.mapsAt(scaler, "spec", "metrics").get(0), "resource", "name")).isEqualTo("cpu");
            assertThat(k8s.dir()).isEqualTo(HPA);
        }
    }

    /**
     * Where the cluster wants credentials (KAFKA_SECURITY_PROTOCOL SASL_*), every Svertka container logs in (its
     * KAFKA_SASL_JAAS_CONFIG), and KEDA's scaler with the same mechanism and TLS, through a TriggerAuthentication of the
     * rendering with a user and password (and the CA, where the pods have one); where it does not, neither does
     * KEDA. KEDA's parameters are ones its Kafka scaler knows. The sasl overlay is the one with credentials.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void kafkaClientsAndKedaLogInAlike(Rendering k8s) {
        Map<String, String> config = k8s.env(k8s.containers().get(0));
        String protocol = config.getOrDefault("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
        boolean sasl = protocol.startsWith("SASL_");
        assertThat(sasl).as(k8s.dir() + " logs in").isEqualTo(k8s.dir().equals(SASL));
        for (Map<String, Object> container : k8s.containers()) {
            assertThat(k8s.env(container).containsKey("KAFKA_SASL_JAAS_CONFIG"))
                    .as(Yaml.stringAt(container, "name") + " logs in").isEqualTo(sasl);
        }
        for (Map<String, Object> trigger : k8s.all("ScaledObject").stream()
                .flatMap(o -> Yaml.mapsAt(o, "spec", "triggers").stream()).toList()) {
            Map<String, Object> metadata = Yaml.mapAt(trigger, "metadata");
            assertThat(KEDA_KAFKA_METADATA).containsAll(metadata.keySet());
            assertThat(metadata.get("tls")).as("KEDA's TLS").isEqualTo(protocol.endsWith("SSL") ? "enable" : null);
            assertThat(metadata.get("sasl")).as("KEDA's SASL mechanism")
                    .isEqualTo(sasl ? Map.of("PLAIN", "plaintext", "SCRAM-SHA-256", "scram_sha256", "SCRAM-SHA-512",
                            "scram_sha512", "GSSAPI", "gssapi", "OAUTHBEARER", "oauthbearer").get(config.get("KAFKA_SASL_MECHANISM")) : null);
            String auth = Yaml.stringAt(trigger, "authenticationRef", "name");
            assertThat(auth != null).as("KEDA authenticates").isEqualTo(sasl);
            if (auth != null) {
                Map<String, Object> authentication = k8s.named("TriggerAuthentication", auth);
                Set<String> parameters = Yaml.mapsAt(authentication, "spec", "secretTargetRef").stream()
                        .map(r -> Yaml.stringAt(r, "parameter")).collect(Collectors.toSet());
                assertThat(KEDA_KAFKA_AUTH).containsAll(parameters);
                assertThat(parameters).contains("username", "password");
                if (config.containsKey("KAFKA_SSL_TRUSTSTORE_TYPE")) {
                    assertThat(parameters).as("KEDA trusts the pods' CA").contains("ca");
                }
            }
        }
    }

    @Test
    void topicsAreTheAppsWithACompactedModelsTopic() throws IOException {
        Rendering k8s = topics;
        assertThat(k8s.all("KafkaTopic")).extracting(t -> Yaml.stringAt(t, "spec", "topicName"))
                .containsExactlyInAnyOrder(app.imagesTopic(), app.predictionsTopic(), app.deadLetterTopic(), app.modelsTopic());
        assertThat(Yaml.at(k8s.topic(app.modelsTopic()), "spec", "config", "cleanup.policy")).isEqualTo("compact");
        long images = ((Number) Yaml.at(k8s.topic(app.imagesTopic()), "spec", "config", "max.message.bytes")).longValue();
        long deadLetters = ((Number) Yaml.at(k8s.topic(app.deadLetterTopic()), "spec", "config", "max.message.bytes")).longValue();
        assertThat(images).as("oversized images reach the pod, which dead-letters them").isGreaterThan(app.maxPayloadBytes());
        assertThat(deadLetters).as("a dead letter carries the original bytes").isGreaterThanOrEqualTo(images);
    }

    /**
     * The application lives in the namespace its kustomization creates, every resource of it (KEDA wants the
     * ScaledObject and its TriggerAuthentication beside the Deployment); the KafkaTopics live in the namespace of
     * the cluster the pods connect to, where Strimzi's Topic Operator looks for them, labelled with its name.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void theAppHasItsNamespaceAndTheTopicsTheKafkaClusters(Rendering k8s) {
        List<Map<String, Object>> namespaces = k8s.all("Namespace");
        assertThat(namespaces).as("the rendering creates its namespace").hasSize(1);
        String namespace = Yaml.stringAt(namespaces.get(0), "metadata", "name");
        assertThat(namespace).isNotBlank();
        for (Map<String, Object> resource : k8s.resources) {
            if (resource != namespaces.get(0)) {
                assertThat(Yaml.stringAt(resource, "metadata", "namespace"))
                        .as(resource.get("kind") + " " + Yaml.stringAt(resource, "metadata", "name")).isEqualTo(namespace);
            }
        }
        Bootstrap kafka = k8s.bootstrap();
        assertThat(kafka.namespace()).as("Svertka does not share the Kafka cluster's namespace").isNotEqualTo(namespace);
        assertThat(topics.resources).isNotEmpty().allSatisfy(topic -> {
            assertThat(topic.get("kind")).isEqualTo("KafkaTopic");
            assertThat(Yaml.at(topic, "metadata", "namespace")).as("the Topic Operator's namespace").isEqualTo(kafka.namespace());
            assertThat(Yaml.at(topic, "metadata", "labels", "strimzi.io/cluster")).as("the pods' cluster")
                    .isEqualTo(kafka.cluster());
        });
    }

    /** The Job trains from the spec in its ConfigMap, and produces the model the pods serve. */
    @Test
    void theTrainerJobRunsTheSpecFromItsConfigMap() throws IOException {
        Rendering k8s = render(BASE);
        Map<String, Object> job = k8s.all("Job").get(0);
        Map<String, Object> spec = Yaml.mapAt(job, "spec", "template", "spec");
        assertThat(spec.get("restartPolicy")).isIn("Never", "OnFailure");
        Map<String, Object> container = Yaml.mapsAt(spec, "containers").get(0);
        List<String> args = Yaml.listAt(container, "args").stream().map(Object::toString).toList();
        assertThat(args.get(0)).isEqualTo("train");
        assertThat(args).as("the fleet converges on the Job's version").contains("--promote");
        Path specFile = Path.of(args.get(args.indexOf("--spec") + 1));
        Map<String, Object> mount = Yaml.mapsAt(container, "volumeMounts").stream()
                .filter(m -> specFile.startsWith(m.get("mountPath").toString())).findFirst().orElseThrow();
        Map<String, Object> volume = Yaml.mapsAt(spec, "volumes").stream()
                .filter(v -> v.get("name").equals(mount.get("name"))).findFirst().orElseThrow();
        Map<String, Object> configMap = k8s.named("ConfigMap", Yaml.stringAt(volume, "configMap", "name"));
        String key = Path.of(mount.get("mountPath").toString()).relativize(specFile).toString();
        JsonNode jobSpec = new ObjectMapper().readTree(Yaml.stringAt(configMap, "data", key));
        assertThat(jobSpec.path("model").asText())
                .isEqualTo(k8s.env(container).get("SVERTKA_SERVE_MODEL"));
        assertThat(jobSpec.path("epochs").asInt()).isPositive();
        if (jobSpec.hasNonNull("runDir")) {
            Path runDir = Path.of(jobSpec.get("runDir").asText());
            assertThat(Yaml.mapsAt(container, "volumeMounts")).as(runDir + " is written").anySatisfy(m -> {
                assertThat(runDir.startsWith(m.get("mountPath").toString())).isTrue();
                assertThat(m.get("readOnly")).isNotEqualTo(true);
            });
        }
    }

    /**
     * CPU in the base; the gpu overlay puts both trainers, and only them, on one GPU each, from the CUDA trainer image;
     * gpu-inference the inference pods, and only them, from the GPU inference image.
     */
    @Test
    void onlyTheGpuOverlaysAskForGpusEachForItsRole() throws IOException {
        for (String dir : List.of(BASE, HPA)) {
            for (Map<String, Object> workload : render(dir).workloads()) {
                assertThat(Yaml.mapsAt(workload, "spec", "template", "spec", "containers"))
                        .allSatisfy(c -> assertThat(c.toString()).doesNotContain("nvidia.com/gpu").doesNotContain("cuda"));
            }
        }
        assertOnGpus(render(GPU), false, "svertka-cuda");
        assertOnGpus(render(GPU_INFERENCE), true, "svertka-gpu");
    }

    private static void assertOnGpus(Rendering overlay, boolean serving, String image) throws IOException {
        for (Map<String, Object> workload : overlay.workloads()) {
            Map<String, Object> spec = Yaml.mapAt(workload, "spec", "template", "spec");
            Map<String, Object> container = Yaml.mapsAt(spec, "containers").get(0);
            if (Yaml.listAt(container, "args").get(0).equals("serve") != serving) {
                assertThat(container.toString()).doesNotContain("nvidia.com/gpu");
                continue;
            }
            assertThat(Yaml.at(container, "resources", "limits", "nvidia.com/gpu")).isEqualTo(1);
            assertThat(Yaml.at(container, "resources", "requests", "nvidia.com/gpu")).isEqualTo(1);
            assertThat(Yaml.stringAt(container, "image")).matches("(.+/)?" + image + "[:@].+");
            assertThat(Yaml.mapAt(spec, "nodeSelector")).isNotEmpty();
            assertThat(Yaml.mapsAt(spec, "tolerations")).anySatisfy(t -> assertThat(t.get("key")).isEqualTo("nvidia.com/gpu"));
            assertResources(workload.get("kind") + " (" + overlay.dir() + ")", container);
        }
        assertThat(overlay.workloads().stream().filter(w -> w.toString().contains("nvidia.com/gpu")))
                .hasSize(serving ? 1 : 2);
        assertThat(Files.readString(Dockerfile.PATH)).contains("-t " + image);
    }

    /**
     * Memory and disk stay inside what the pods ask for: inference requests the memory it may use (a pod over its
     * request is evicted first), the trainers cap JavaCPP's native memory below their limit (its default is the
     * node's physical memory) and ask for the scratch space ND4J unpacks its libraries into.
     */
    @ParameterizedTest
    @MethodSource("renderings")
    void nativeMemoryAndScratchSpaceStayWithinTheLimits(Rendering k8s) {
        Map<String, Object> serving = Yaml.mapsAt(k8s.servingDeployment(), "spec", "template", "spec", "containers")
                .get(0);
        assertThat(Yaml.at(serving, "resources", "requests", "memory"))
                .isEqualTo(Yaml.at(serving, "resources", "limits", "memory"));
        for (Map<String, Object> workload : k8s.workloads()) {
            Map<String, Object> container = Yaml.mapsAt(workload, "spec", "template", "spec", "containers").get(0);
            if (!Yaml.stringAt(container, "image").contains("trainer")) {
                continue;
            }
            String name = workload.get("kind") + " " + Yaml.stringAt(workload, "metadata", "name");
            String options = k8s.env(container).get("JAVA_TOOL_OPTIONS");
            assertThat(options).as(name + " caps JavaCPP").contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=");
            long cap = Long.parseLong(options.replaceAll(".*maxphysicalbytes=([0-9]+).*", "$1"));
            assertThat((double) cap).as(name).isLessThan(quantity(Yaml.at(container, "resources", "limits", "memory")
                    .toString()));
            assertThat(Yaml.at(container, "resources", "requests", "ephemeral-storage")).as(name).isNotNull();
        }
    }

    private static void assertResources(String name, Map<String, Object> container) {
        for (String resource : List.of("cpu", "memory")) {
            Object request = Yaml.at(container, "resources", "requests", resource);
            Object limit = Yaml.at(container, "resources", "limits", resource);
            assertThat(request).as(name + " requests " + resource).isNotNull();
            assertThat(limit).as(name + " limits " + resource).isNotNull();
            assertThat(quantity(request.toString())).as(name + " " + resource).isLessThanOrEqualTo(quantity(limit.toString()));
        }
    }

    /** The project's version, from pom.xml (the first version after its own artifactId). */
    static String projectVersion() throws IOException {
        String pom = Files.readString(AppConfig.ROOT.resolve("pom.xml"));
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("<artifactId>svertka</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).as("pom.xml names its version").isTrue();
        return m.group(1);
    }

    /** A Kubernetes quantity in base units: "500m", "2", "1Gi", "512Mi". */
    static double quantity(String text) {
        Map<String, Double> suffixes = Map.of("m", 1e-3, "Ki", 1024.0, "Mi", 1024.0 * 1024, "Gi", 1024.0 * 1024 * 1024,
                "k", 1e3, "M", 1e6, "G", 1e9);
        for (Map.Entry<String, Double> suffix : suffixes.entrySet()) {
            if (text.endsWith(suffix.getKey()) && text.substring(0, text.length() - suffix.getKey().length()).matches("[0-9.]+")) {
                return Double.parseDouble(text.substring(0, text.length() - suffix.getKey().length())) * suffix.getValue();
            }
        }
        return Double.parseDouble(text);
    }

    private static Rendering render(String dir) throws IOException {
        return new Rendering(dir, Kustomize.build(K8S.resolve(dir)));
    }

    /** Where the pods find Kafka: a Strimzi cluster's bootstrap service, by its full name. */
    record Bootstrap(String cluster, String namespace, int port) {

        static Bootstrap of(String servers) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("([a-z0-9-]+)-kafka-bootstrap\\.([a-z0-9-]+)\\.svc(\\.[a-z.]+)?:([0-9]+)").matcher(servers);
            assertThat(m.matches()).as(servers + ": a Strimzi bootstrap service by its full name").isTrue();
            return new Bootstrap(m.group(1), m.group(2), Integer.parseInt(m.group(4)));
        }
    }

    static Stream<Named<Rendering>> renderings() throws IOException {
        List<Named<Rendering>> renderings = new ArrayList<>();
        for (String dir : List.of(BASE, HPA, GPU, GPU_INFERENCE, SASL)) {
            renderings.add(Named.of(dir, render(dir)));
        }
        return renderings.stream();
    }

    /** One rendered overlay, with look-ups by kind and name. */
    private record Rendering(String dir, List<Map<String, Object>> resources) {

        List<Map<String, Object>> all(String kind) {
            return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
        }

        Map<String, Object> named(String kind, String name) {
            return all(kind).stream().filter(r -> name.equals(Yaml.at(r, "metadata", "name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
        }

        List<Map<String, Object>> workloads() {
            List<Map<String, Object>> workloads = new ArrayList<>(all("Deployment"));
            workloads.addAll(all("Job"));
            assertThat(workloads).isNotEmpty();
            return workloads;
        }

        List<Map<String, Object>> podSpecs() {
            return workloads().stream().map(w -> Yaml.mapAt(w, "spec", "template", "spec")).toList();
        }

        /** Every container of every pod. */
        List<Map<String, Object>> containers() {
            return podSpecs().stream().flatMap(spec -> Yaml.mapsAt(spec, "containers").stream()).toList();
        }

        Map<String, Object> servingDeployment() {
            return all("Deployment").stream()
                    .filter(d -> Yaml.listAt(Yaml.mapsAt(d, "spec", "template", "spec", "containers").get(0), "args")
                            .get(0).equals("serve"))
                    .findFirst().orElseThrow(() -> new AssertionError("no Deployment runs serve"));
        }

        Map<String, Object> podOf(Map<String, Object> selector) {
            assertThat(selector).isNotEmpty();
            return workloads().stream()
                    .filter(w -> Yaml.mapAt(w, "spec", "template", "metadata", "labels").entrySet().containsAll(selector.entrySet()))
                    .findFirst().orElseThrow(() -> new AssertionError("no pods match " + selector));
        }

        Bootstrap bootstrap() {
            return Bootstrap.of(Yaml.stringAt(named("ConfigMap", "svertka"), "data", "KAFKA_BOOTSTRAP_SERVERS"));
        }

        Map<String, Object> topic(String name) {
            return all("KafkaTopic").stream().filter(t -> name.equals(Yaml.at(t, "spec", "topicName"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no KafkaTopic for " + name));
        }

        /** The keys of a ConfigMap or Secret of the rendering, or of a Secret README has the operator make. */
        Set<String> keysOf(String kind, String name, Map<String, Set<String>> documentedSecrets) {
            Optional<Map<String, Object>> found = all(kind).stream().filter(r -> name.equals(Yaml.at(r, "metadata", "name"))).findFirst();
            if (found.isPresent()) {
                Set<String> keys = new HashSet<>(Yaml.mapAt(found.get(), "data").keySet());
                keys.addAll(Yaml.mapAt(found.get(), "stringData").keySet());
                return keys;
            }
            assertThat(kind).as("no ConfigMap named " + name).isEqualTo("Secret");
            assertThat(documentedSecrets).as("the Secret " + name + " is neither in the rendering nor made as README says")
                    .containsKey(name);
            return documentedSecrets.get(name);
        }

        /** The environment a container gets from its ConfigMaps and env entries (values from Secrets: null). */
        Map<String, String> env(Map<String, Object> container) {
            Map<String, String> env = new java.util.LinkedHashMap<>();
            for (Map<String, Object> source : Yaml.mapsAt(container, "envFrom")) {
                Optional.ofNullable(Yaml.stringAt(source, "configMapRef", "name"))
                        .ifPresent(n -> Yaml.mapAt(named("ConfigMap", n), "data").forEach((k, v) -> env.put(k, v.toString())));
            }
            for (Map<String, Object> variable : Yaml.mapsAt(container, "env")) {
                env.put(Yaml.stringAt(variable, "name"), Yaml.stringAt(variable, "value"));
            }
            return env;
        }
    }
}
