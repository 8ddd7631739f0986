package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.EmbeddedKafka;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import dev.svertka.registry.ModelAnnouncement;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** {@code registry list|show|promote|rollback|import}, as a user runs them. */
@QuarkusMainTest
class RegistryCommandTest {

    private static ModelCard card() {
        return new ModelCard("pets", 0, List.of("cat", "dog"), new InputShape(1, 28, 28), ModelCard.LAYOUT_NCHW,
                InputShape.PIXEL_SCALE, null, "seed-cnn", "test data", Map.of("test_accuracy", 0.9), Map.of(),
                "2026-11-30T00:00:00Z", null);
    }

    private static Path registryWithThreeVersions() throws Exception {
        Path root = Files.createTempDirectory("svertka-registry-cli-");
        ModelRegistry registry = new ModelRegistry(root);
        for (int i = 1; i <= 3; i++) {
            registry.publish(card(), ("model " + i).getBytes(StandardCharsets.UTF_8), null);
        }
        return root;
    }

    @Test
    void listsShowsPromotesAndRollsBack(QuarkusMainLauncher launcher) throws Exception {
        String root = registryWithThreeVersions().toString();

        new ModelRegistry(Path.of(root)).promote("pets", 1);
        assertOk(launcher.launch("registry", "promote", "pets:3", "--registry", root, "--no-announce"), "Live: pets:3");
        assertThat(launcher.launch("registry", "list", "--registry", root).getOutput())
                .containsPattern("pets\\s+\\[1, 2, 3\\]\\s+3 \\(before: \\[1\\]\\)");
        assertOk(launcher.launch("registry", "show", "pets", "--registry", root), "pets:3")
                .contains("(live)", "\"labels\"", "\"sha256\"");
        assertOk(launcher.launch("registry", "rollback", "pets", "--registry", root, "--no-announce"), "Live: pets:1");

        LaunchResult noHistory = launcher.launch("registry", "rollback", "pets", "--registry", root, "--no-announce");
        assertThat(noHistory.exitCode()).isEqualTo(1);
        assertThat(noHistory.getErrorOutput()).contains("error: Cannot roll back pets");
        assertThat(new ModelRegistry(Path.of(root)).live("pets")).get().satisfies(p -> assertThat(p.version()).isEqualTo(1));
    }

    @Test
    void promotionIsAnnouncedOnTheCompactedModelsTopic(QuarkusMainLauncher launcher) throws Exception {
        String root = registryWithThreeVersions().toString();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(
                EmbeddedKafka.Options.in(Files.createTempDirectory("svertka-registry-kafka-")))) {
            String servers = kafka.bootstrapServers();

            new ModelRegistry(Path.of(root)).promote("pets", 2);
            assertOk(launcher.launch("registry", "promote", "pets:3", "--registry", root, "--bootstrap-servers", servers),
                    "Announced pets:3");
            assertOk(launcher.launch("registry", "rollback", "pets", "--registry", root, "--bootstrap-servers", servers),
                    "Announced pets:2");

            try (RecordCollector collector = new RecordCollector(KafkaClients.at(servers), List.of("models"))) {
                List<ConsumerRecord<String, byte[]>> records = collector.until(r -> r.size() >= 2,
                        Duration.ofSeconds(30));
                assertThat(records).extracting(ConsumerRecord::key).containsExactly("pets", "pets");
                ModelAnnouncement last = ModelAnnouncer.parse(new String(records.get(1).value(), StandardCharsets.UTF_8));
                assertThat(last.version()).isEqualTo(2);
                assertThat(last.sha256()).isEqualTo(ModelRegistry.sha256("model 2".getBytes(StandardCharsets.UTF_8)));
                assertThat(last.location()).isEqualTo(Path.of(root, "pets", "2").toAbsolutePath().toString());
                assertThat(last.card().labels()).containsExactly("cat", "dog");
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "models");
                Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
                assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                        .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            }
        }
    }

    private static org.assertj.core.api.AbstractStringAssert<?> assertOk(LaunchResult result, String expected) {
        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        return assertThat(result.getOutput()).contains(expected);
    }
}
