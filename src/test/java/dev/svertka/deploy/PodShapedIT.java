package dev.svertka.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.data.LabeledImages;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.kafka.EmbeddedKafka;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.LocalhostCertificate;
import dev.svertka.kafka.RecordCollector;

/**
 * The deployments run as written, with no cluster and no container engine: each Svertka container of the k8s base
 * and of the compose stack is started from the packaged fast-jar its image holds, as its pod or service defines
 * it ({@link ContainerProcess}: uid, arguments, environment, ConfigMaps, Secrets, volumes, read-only root), on an
 * embedded broker standing for the cluster's. The sequence is the one a first deployment goes through.
 */
class PodShapedIT {

    private static final String TOKEN = "pod-shaped-test-token";
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration TRAINING = Duration.ofMinutes(6);
    private static final int IMAGES = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * k8s/base: two inference pods start before any model exists and wait, unready; the training Job writes,
     * promotes and announces a model in the shared registry, and both serve it; the trainer service accepts a job
     * with its token only, and the version it trains reaches both pods too.
     */
    @Test
    void kubernetesPodsComeUpInTheOrderOfAFirstDeployment(@TempDir Path dir) throws Exception {
        Path sandbox = sandbox(dir);
        List<Map<String, Object>> k8s = Kustomize.build(AppConfig.ROOT.resolve("k8s/base"));
        // the Secrets made outside the manifests (README): the trainer API's token; no Kafka credentials
        Map<String, Map<String, String>> secrets = Map.of("svertka-trainer", Map.of("SVERTKA_TRAINER_TOKEN", TOKEN));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")))) {
            createTopics(kafka.clients(), clusterTopics());
            Map<String, Object> inference = workload(k8s, "Deployment", "svertka-inference");
            try (ContainerProcess first = start(only(Container.ofPod("svertka-inference-0", inference, k8s, secrets)),
                    sandbox, kafka);
                    ContainerProcess second = start(only(Container.ofPod("svertka-inference-1", inference, k8s, secrets)),
                            sandbox, kafka)) {
                for (ContainerProcess pod : List.of(first, second)) {
                    pod.awaitLog("Waiting for model digits", START).awaitLog("Following live model versions", START);
                    assertThat(status(pod, "/q/health/live")).isEqualTo(200);
                    assertThat(status(pod, "/q/health/ready")).as("no model yet").isEqualTo(503);
                }
                step("two inference pods up, live, not ready: no model yet");

                try (ContainerProcess job = start(only(Container.ofPod("svertka-train",
                        workload(k8s, "Job", "svertka-train"), k8s, secrets)), sandbox, kafka)) {
                    assertThat(job.awaitExit(TRAINING)).as(job.log()).isZero();
                    assertThat(job.log()).contains("digits:1");
                    Path stored = sandbox.resolve("volumes/pvc/svertka-registry/digits/1");
                    assertThat(stored.resolve("model.onnx")).isRegularFile();
                    if ("root".equals(System.getProperty("user.name"))) {
                        assertThat(Files.getAttribute(stored, "unix:uid")).as("written as the pod's user")
                                .isEqualTo(Container.ofPod("svertka-train", workload(k8s, "Job", "svertka-train"), k8s,
                                        secrets).get(0).uid());
                    }
                    step("the training Job stored, promoted and announced digits:1");
                }
                for (ContainerProcess pod : List.of(first, second)) {
                    pod.awaitLog("Serving model digits:1", START);
                    assertThat(status(pod, "/q/health/ready")).isEqualTo(200);
                }
                assertThat(classify(kafka.clients(), "job")).as("predictions by model version").containsOnlyKeys(1);
                step("both pods ready and serving digits:1");

                try (ContainerProcess trainer = start(only(Container.ofPod("svertka-trainer",
                        workload(k8s, "Deployment", "svertka-trainer"), k8s, secrets)), sandbox, kafka)) {
                    trainThroughTheApi(trainer);
                }
                for (ContainerProcess pod : List.of(first, second)) {
                    pod.awaitLog("Serving model digits:2", START);
                }
                assertThat(classify(kafka.clients(), "trainer")).containsOnlyKeys(2);
                step("the trainer service's job (digits:2) reached both pods");
            }
        }
    }

    /**
     * k8s/overlays/sasl against a cluster that takes SCRAM-SHA-512 logins over TLS only: the inference pod and the
     * training Job log in with the Secret {@code svertka-kafka} as README says to make it (the login and the
     * cluster CA's PEM certificate), and the model reaches the pod.
     */
    @Test
    void saslOverlayPodsLogInWithTheSecretsCredentials(@TempDir Path dir) throws Exception {
        Path sandbox = sandbox(dir);
        List<Map<String, Object>> k8s = Kustomize.build(AppConfig.ROOT.resolve("k8s/overlays/sasl"));
        String password = UUID.randomUUID().toString();
        EmbeddedKafka.Tls tls = LocalhostCertificate.in(dir.resolve("tls"), "tls-" + password);
        Map<String, Map<String, String>> secrets = Map.of(
                "svertka-trainer", Map.of("SVERTKA_TRAINER_TOKEN", TOKEN),
                "svertka-kafka", Map.of("sasl.jaas.config", ScramLoginModule.class.getName()
                        + " required username=\"svertka\" password=\"" + password + "\";",
                        "ca.crt", LocalhostCertificate.pem(tls)));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka"))
                .withUsers(Map.of("svertka", password)).withTls(tls))) {
            KafkaClients test = kafka.clients("svertka");
            createTopics(test, clusterTopics());
            try (ContainerProcess pod = start(only(Container.ofPod("svertka-inference-0",
                    workload(k8s, "Deployment", "svertka-inference"), k8s, secrets)), sandbox, kafka)) {
                pod.awaitLog("Following live model versions", START);
                try (ContainerProcess job = start(only(Container.ofPod("svertka-train",
                        workload(k8s, "Job", "svertka-train"), k8s, secrets)), sandbox, kafka)) {
                    assertThat(job.awaitExit(TRAINING)).as(job.log()).isZero();
                }
                pod.awaitLog("Serving model digits:1", START);
                assertThat(status(pod, "/q/health/ready")).as("its readiness asks the SASL cluster").isEqualTo(200);
                assertThat(classify(test, "sasl")).containsOnlyKeys(1);
                step("sasl overlay: the pod and the Job logged in with SCRAM-SHA-512 over TLS; digits:1 served");
            }
        }
    }

    /**
     * deploy/compose.yaml: its topics, then {@code train} into the named registry volume; the trainer service
     * with its token; two inference replicas serving the trained model read-only.
     */
    @Test
    void composeServicesComeUpInTheirDependencyOrder(@TempDir Path dir) throws Exception {
        Path sandbox = sandbox(dir);
        Map<String, Object> services = Yaml.mapAt(Yaml.load(AppConfig.ROOT.resolve("deploy/compose.yaml")), "services");
        int uid = Dockerfile.read().runtimeUid();
        Map<String, String> shell = Map.of("SVERTKA_TRAINER_TOKEN", TOKEN);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")))) {
            createTopics(kafka.clients(), ComposeStackTest.topics(Yaml.mapAt(services, "topics")).stream()
                    .map(t -> topic(t.name(), t.partitions(), t.configs())).toList());
            try (ContainerProcess train = start(Container.ofService("train", Yaml.mapAt(services, "train"), shell, uid),
                    sandbox, kafka)) {
                assertThat(train.awaitExit(TRAINING)).as(train.log()).isZero();
                step("compose train stored digits:1");
            }
            try (ContainerProcess trainer = start(Container.ofService("trainer", Yaml.mapAt(services, "trainer"),
                    shell, uid), sandbox, kafka)) {
                trainThroughTheApi(trainer);
            }
            Map<String, Object> inference = Yaml.mapAt(services, "inference");
            int replicas = (Integer) Yaml.at(inference, "deploy", "replicas");
            List<ContainerProcess> pods = new ArrayList<>();
            try {
                for (int i = 1; i <= replicas; i++) {
                    pods.add(start(Container.ofService("inference-" + i, inference, shell, uid), sandbox, kafka));
                }
                for (ContainerProcess pod : pods) {
                    pod.awaitLog("Serving model digits:2", START);
                }
                assertThat(classify(kafka.clients(), "compose")).containsOnlyKeys(2);
                step(replicas + " compose inference replicas serve digits:2, the trainer service's");
            } finally {
                for (ContainerProcess pod : pods) {
                    pod.close();
                }
            }
        }
    }

    private static void step(String what) {
        System.out.printf("[pod-shaped %tT] %s%n", System.currentTimeMillis(), what);
    }

    /** A sandbox the containers' user can enter, as the test's own temporary directory is not. */
    private static Path sandbox(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private static ContainerProcess start(Container container, Path sandbox, EmbeddedKafka kafka) throws IOException {
        return ContainerProcess.start(container, sandbox, kafka.bootstrapServers());
    }

    private static Map<String, Object> workload(List<Map<String, Object>> rendering, String kind, String name) {
        return rendering.stream()
                .filter(r -> kind.equals(r.get("kind")) && name.equals(Yaml.stringAt(r, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the rendering"));
    }

    private static Container only(List<Container> containers) {
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static NewTopic topic(String name, int partitions, Map<String, ?> config) {
        Map<String, String> configs = new HashMap<>();
        // one broker here: no replication to insist on
        config.forEach((key, value) -> {
            if (!key.equals("min.insync.replicas")) {
                configs.put(key, value.toString());
            }
        });
        return new NewTopic(name, partitions, (short) 1).configs(configs);
    }

    /** The topics of k8s/topics, the KafkaTopics in the Kafka cluster's namespace. */
    private static List<NewTopic> clusterTopics() throws IOException {
        return Kustomize.build(AppConfig.ROOT.resolve("k8s/topics")).stream()
                .filter(r -> "KafkaTopic".equals(r.get("kind")))
                .map(t -> topic(Yaml.stringAt(t, "spec", "topicName"), (Integer) Yaml.at(t, "spec", "partitions"),
                        Yaml.mapAt(t, "spec", "config")))
                .toList();
    }

    private static void createTopics(KafkaClients kafka, List<NewTopic> topics)
            throws InterruptedException, ExecutionException {
        assertThat(topics).isNotEmpty();
        try (Admin admin = Admin.create(kafka.admin(Map.of()))) {
            admin.createTopics(topics).all().get();
        }
    }

    /** Sends digits to the images topic and counts their predictions by the model version that made them. */
    private static Map<Integer, Long> classify(KafkaClients kafka, String prefix) throws IOException {
        LabeledImages digits = SyntheticDigits.generate(IMAGES, 3);
        try (RecordCollector outputs = new RecordCollector(kafka, List.of("predictions", "images-dlq"))) {
            try (ImageProducer producer = new ImageProducer(kafka, "images")) {
                for (int i = 0; i < IMAGES; i++) {
                    producer.send(prefix + "-" + i, digits, i, ImageProducer.Encoding.PNG);
                }
                assertThat(producer.flush().complete()).isTrue();
            }
            List<ConsumerRecord<String, byte[]>> results = outputs.until(records -> records.stream()
                    .filter(r -> r.key().startsWith(prefix + "-")).count() >= IMAGES, START);
            Map<Integer, Long> versions = new HashMap<>();
            for (ConsumerRecord<String, byte[]> result : results) {
                if (result.key().startsWith(prefix + "-")) {
                    assertThat(result.topic()).as(new String(result.value())).isEqualTo("predictions");
                    versions.merge(JSON.readTree(result.value()).path("version").asInt(), 1L, Long::sum);
                }
            }
            return versions;
        }
    }

    /** The trainer service refuses a job without its token and runs one with it to a new live version. */
    private static void trainThroughTheApi(ContainerProcess trainer) throws Exception {
        trainer.awaitLog("Trainer API on port", START);
        String spec = """
                {"model": "digits", "preset": "seed-cnn", "data": "synthetic:600", "epochs": 1, "batchSize": 64,
                 "seed": 7}""";
        assertThat(submit(trainer, spec, null).statusCode()).isEqualTo(401);
        HttpResponse<String> accepted = submit(trainer, spec, TOKEN);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode done = awaitJob(trainer, JSON.readTree(accepted.body()).path("id").asText());
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.path("warning").isMissingNode() || done.path("warning").isNull()).as(done.toString()).isTrue();
        step("the trainer service ran a job sent with its token, refused one without: " + done.path("result").asText());
    }

    private static int status(ContainerProcess pod, String path) throws IOException, InterruptedException {
        return pod.http(HttpRequest.newBuilder().GET(), path).statusCode();
    }

    private static HttpResponse<String> submit(ContainerProcess trainer, String spec, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder post = HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString(spec))
                .header("Content-Type", "application/json");
        if (token != null) {
            post.header("Authorization", "Bearer " + token);
        }
        return trainer.http(post, "/jobs");
    }

    private static JsonNode awaitJob(ContainerProcess trainer, String id) throws Exception {
        long deadline = System.nanoTime() + TRAINING.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = JSON.readTree(trainer.http(HttpRequest.newBuilder().GET()
                    .header("Authorization", "Bearer " + TOKEN), "/jobs/" + id).body());
            if (Stream.of("SUCCEEDED", "FAILED", "CANCELLED").anyMatch(job.path("status").asText()::equals)) {
                return job;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("job " + id + " not done within " + TRAINING + ":\n" + trainer.log());
    }
}
