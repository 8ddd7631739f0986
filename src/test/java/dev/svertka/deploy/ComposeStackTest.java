package dev.svertka.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** deploy/: the compose stack, Prometheus and Grafana agree with the app and with each other. */
class ComposeStackTest {

    private static final Path DEPLOY = AppConfig.ROOT.resolve("deploy");
    private static final Pattern TOPIC = Pattern.compile("--topic (\\S+) --partitions (\\d+)((?: --config \\S+)*)");

    private static AppConfig app;
    private static Map<String, Object> services;

    @BeforeAll
    static void read() throws IOException {
        app = AppConfig.load();
        services = Yaml.mapAt(Yaml.load(DEPLOY.resolve("compose.yaml")), "services");
    }

    /** Kafka in KRaft mode from the official image, at the version of the app's Kafka clients. */
    @Test
    void kafkaIsTheOfficialImageInKraftMode() throws IOException {
        Matcher version = Pattern.compile("<kafka.version>([^<]+)</kafka.version>")
                .matcher(Files.readString(AppConfig.ROOT.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        assertThat(service("kafka").get("image")).isEqualTo("apache/kafka:" + version.group(1));
        assertThat(service("topics").get("image")).isEqualTo(service("kafka").get("image"));
        Map<String, Object> env = Yaml.mapAt(service("kafka"), "environment");
        assertThat(env.get("KAFKA_PROCESS_ROLES").toString().split(",")).containsExactlyInAnyOrder("broker", "controller");
        assertThat(env).containsKey("KAFKA_CONTROLLER_QUORUM_VOTERS");
        assertThat(env.keySet()).noneMatch(k -> k.contains("ZOOKEEPER"));
    }

    /**
     * Every Svertka service runs the repository's image made for its command (the inference one unless it trains),
     * with a command and variables the app knows.
     */
    @Test
    void svertkaServicesRunTheImageWithWhatTheAppReads() throws IOException {
        List<String> advertised = List.of(Yaml.stringAt(service("kafka"), "environment", "KAFKA_ADVERTISED_LISTENERS")
                .replaceAll("[A-Z]+://", "").split(","));
        Map<String, Map<String, Object>> svertka = svertkaServices();
        assertThat(svertka.keySet()).containsExactlyInAnyOrder("train", "trainer", "inference");
        for (Map.Entry<String, Map<String, Object>> entry : svertka.entrySet()) {
            Map<String, Object> service = entry.getValue();
            assertThat(AppConfig.ROOT.resolve("deploy").resolve(Yaml.stringAt(service, "build", "context"))
                    .resolve("Dockerfile").normalize()).isEqualTo(Dockerfile.PATH);
            String command = Yaml.listAt(service, "command").get(0).toString();
            assertThat(AppConfig.commands()).as(entry.getKey()).contains(command);
            assertThat(Yaml.stringAt(service, "build", "target")).as(entry.getKey())
                    .isEqualTo(Dockerfile.targetFor(command)).isEqualTo(Dockerfile.targetOf(Yaml.stringAt(service, "image")));
            Map<String, Object> env = Yaml.mapAt(service, "environment");
            assertThat(env.keySet()).allSatisfy(name -> assertThat(app.readsEnv(name)).as(name + " is read by the app").isTrue());
            if (env.containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
                assertThat(advertised).as("containers reach the broker's advertised listener")
                        .contains(env.get("KAFKA_BOOTSTRAP_SERVERS").toString());
            }
            if (AppConfig.SERVER_COMMANDS.contains(command)) {
                assertThat(Yaml.listAt(service, "ports")).as(entry.getKey())
                        .allSatisfy(p -> assertThat(p.toString()).endsWith(":" + app.httpPort()));
            }
            String mount = Yaml.listAt(service, "volumes").stream().map(Object::toString)
                    .filter(v -> v.startsWith("registry:")).findFirst().orElseThrow();
            assertThat(mount.split(":")[1]).as("the image's SVERTKA_SERVE_REGISTRY").isEqualTo("/registry");
            assertThat(mount.endsWith(":ro")).as(entry.getKey() + " mounts the registry read-only").isEqualTo(command.equals("serve"));
        }
    }

    @Test
    void twoInferenceReplicasServeTheModelTrainedFirstAndDrainOnStop() {
        Map<String, Object> inference = service("inference");
        assertThat(Yaml.at(inference, "deploy", "replicas")).isEqualTo(2);
        List<String> train = Yaml.listAt(service("train"), "command").stream().map(Object::toString).toList();
        assertThat(Yaml.stringAt(inference, "environment", "SVERTKA_SERVE_MODEL"))
                .isEqualTo(train.get(train.indexOf("--model") + 1));
        assertThat(Yaml.stringAt(inference, "depends_on", "train", "condition")).isEqualTo("service_completed_successfully");
        assertThat(Yaml.stringAt(inference, "depends_on", "topics", "condition")).isEqualTo("service_completed_successfully");
        Map<String, String> env = new HashMap<>();
        Yaml.mapAt(inference, "environment").forEach((k, v) -> env.put(k, v.toString()));
        Duration drain = app.drainTime(env);
        assertThat(drain).isGreaterThan(Duration.ZERO);
        Duration grace = AppConfig.duration(Yaml.stringAt(inference, "stop_grace_period"));
        assertThat(grace).isGreaterThan(drain).isLessThanOrEqualTo(drain.plusSeconds(10));
    }

    /** The stack creates the app's topics, like k8s/topics/topics.yaml, with room for both replicas. */
    @Test
    void topicsAreTheAppsAndMatchTheClusterOnes() throws IOException {
        Map<String, Integer> partitions = new HashMap<>();
        Map<String, Map<String, String>> configs = new HashMap<>();
        for (Topic topic : topics(service("topics"))) {
            partitions.put(topic.name(), topic.partitions());
            configs.put(topic.name(), topic.configs());
        }
        assertThat(partitions.keySet()).containsExactlyInAnyOrder(
                app.imagesTopic(), app.predictionsTopic(), app.deadLetterTopic(), app.modelsTopic());
        assertThat(partitions.get(app.imagesTopic())).isGreaterThanOrEqualTo((Integer) Yaml.at(service("inference"), "deploy", "replicas"));
        assertThat(Yaml.stringAt(service("kafka"), "environment", "KAFKA_AUTO_CREATE_TOPICS_ENABLE")).isEqualTo("false");
        for (Map<String, Object> topic : Yaml.loadAll(AppConfig.ROOT.resolve("k8s/topics/topics.yaml"))) {
            String name = Yaml.stringAt(topic, "spec", "topicName");
            Map<String, String> expected = new HashMap<>();
            Yaml.mapAt(topic, "spec", "config").forEach((k, v) -> {
                if (!k.equals("min.insync.replicas") && !k.equals("retention.ms")) {
                    expected.put(k, v.toString());
                }
            });
            assertThat(configs.get(name)).as(name + " as on the cluster").isEqualTo(expected);
        }
    }

    /** A topic the {@code topics} service creates. */
    record Topic(String name, int partitions, Map<String, String> configs) {
    }

    /** The topics a service's {@code kafka-topics.sh --create} lines make. */
    static List<Topic> topics(Map<String, Object> service) {
        List<Topic> topics = new ArrayList<>();
        Matcher m = TOPIC.matcher(String.join("\n", Yaml.listAt(service, "command").stream().map(Object::toString).toList()));
        while (m.find()) {
            topics.add(new Topic(m.group(1), Integer.parseInt(m.group(2)), Pattern.compile(" --config ")
                    .splitAsStream(m.group(3)).filter(s -> !s.isBlank()).map(s -> s.split("=", 2))
                    .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]))));
        }
        return topics;
    }

    /** Prometheus scrapes every Svertka server at the app's metrics path and port. */
    @Test
    void prometheusScrapesEveryServerAtTheMetricsEndpoint() throws IOException {
        Map<String, Path> mounts = mounts("prometheus");
        Map<String, Object> config = Yaml.load(mounts.get("/etc/prometheus/prometheus.yml"));
        Set<String> scraped = new java.util.HashSet<>();
        for (Map<String, Object> job : Yaml.mapsAt(config, "scrape_configs")) {
            assertThat(job.get("metrics_path")).isEqualTo(app.metricsPath());
            for (Map<String, Object> dns : Yaml.mapsAt(job, "dns_sd_configs")) {
                assertThat(dns.get("port")).isEqualTo(app.httpPort());
                Yaml.listAt(dns, "names").forEach(n -> scraped.add(n.toString()));
            }
            for (Map<String, Object> targets : Yaml.mapsAt(job, "static_configs")) {
                for (Object target : Yaml.listAt(targets, "targets")) {
                    assertThat(target.toString()).endsWith(":" + app.httpPort());
                    scraped.add(target.toString().split(":")[0]);
                }
            }
        }
        Set<String> servers = svertkaServices().entrySet().stream()
                .filter(e -> AppConfig.SERVER_COMMANDS.contains(Yaml.listAt(e.getValue(), "command").get(0).toString()))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(scraped).containsExactlyInAnyOrderElementsOf(servers);
    }

    /** Grafana shows throughput, latency, dead letters, lag and model version from the provisioned Prometheus. */
    @Test
    void grafanaDashboardHasTheFivePanelsOnTheProvisionedDatasource() throws IOException {
        Map<String, Path> mounts = mounts("grafana");
        Path provisioning = mounts.get("/etc/grafana/provisioning");
        Map<String, Object> datasource = Yaml.mapsAt(Yaml.load(provisioning.resolve("datasources/prometheus.yaml")), "datasources").get(0);
        assertThat(Yaml.stringAt(datasource, "url")).isEqualTo("http://prometheus:9090");
        assertThat(services).containsKey("prometheus");
        String dashboardsAt = Yaml.stringAt(Yaml.mapsAt(Yaml.load(provisioning.resolve("dashboards/svertka.yaml")), "providers").get(0),
                "options", "path");
        Path dashboards = mounts.get(dashboardsAt);
        assertThat(dashboards).as("the provider reads a mounted folder").isNotNull();
        JsonNode dashboard = new ObjectMapper().readTree(dashboards.resolve("svertka.json").toFile());
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            titles.add(panel.path("title").asText());
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo(datasource.get("uid"));
            assertThat(panel.path("targets")).isNotEmpty().allSatisfy(t -> assertThat(t.path("expr").asText()).isNotBlank());
        }
        assertThat(titles).containsExactlyInAnyOrder("Throughput", "Latency", "Dead letters", "Consumer lag", "Model version");
        assertThat(dashboard.toString()).contains("topic=\\\"" + app.imagesTopic() + "\\\"");
    }

    private static Map<String, Object> service(String name) {
        assertThat(services).containsKey(name);
        return Yaml.mapAt(services, name);
    }

    private static Map<String, Map<String, Object>> svertkaServices() {
        Map<String, Map<String, Object>> found = new HashMap<>();
        services.forEach((name, service) -> {
            if (Yaml.stringAt(service, "image").matches("svertka(-trainer)?:.+")) {
                found.put(name, Yaml.map(service));
            }
        });
        return found;
    }

    /** A service's bind mounts: container path to the (existing) path in the repository. */
    private static Map<String, Path> mounts(String name) {
        Map<String, Path> mounts = new HashMap<>();
        for (Object volume : Yaml.listAt(service(name), "volumes")) {
            String[] parts = volume.toString().split(":");
            if (parts[0].startsWith(".")) {
                Path source = DEPLOY.resolve(parts[0]).normalize();
                assertThat(source).as(volume.toString()).exists();
                mounts.put(parts[1], source);
            }
        }
        return mounts;
    }
}
