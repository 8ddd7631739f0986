package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.svertka.kafka.EmbeddedKafka;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

/**
 * The commands that are Kafka clients, against a broker that takes only SASL/PLAIN logins, given the credentials as
 * {@code -Dkafka.security.protocol=... -Dkafka.sasl.mechanism=... -Dkafka.sasl.jaas.config=...} alone: {@code send},
 * {@code train} from a {@code kafka:} topic with {@code --promote}, and {@code registry promote} (whose
 * {@code --bootstrap-servers} keeps the configured credentials). One broker outlives the launches (a test
 * resource would restart with each), so its settings go in as system properties, cleared afterwards.
 */
@QuarkusMainTest
class SecuredKafkaCommandsTest {

    @Test
    void sendTrainFromTheTopicAndAnnounceLogIn(QuarkusMainLauncher launcher) throws Exception {
        Path work = Files.createTempDirectory("svertka-sasl-cli-");
        String registry = work.resolve("registry").toString();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(work.resolve("kafka"))
                .withUsers(Map.of("trainer", "trainer-secret")))) {
            Map<String, String> settings = kafka.clientSettings("trainer");
            // the address comes from --bootstrap-servers alone: what it overrides is the configured one
            settings.forEach((key, value) -> {
                if (!key.equals("bootstrap.servers")) {
                    System.setProperty("kafka." + key, value);
                }
            });
            try {
                String broker = kafka.bootstrapServers();
                LaunchResult sent = launcher.launch("send", "--labelled", "--data", "synthetic:300", "--count", "300",
                        "--topic", "labelled", "--timeout", "20", "--bootstrap-servers", broker);
                assertOk(sent);
                assertThat(sent.getOutput()).contains("Sent 300 images to labelled on " + broker);

                LaunchResult trained = launcher.launch("train", "--data", "kafka:labelled?timeout=30s", "--epochs",
                        "1", "--batch-size", "32", "--model", "secured", "--registry", registry, "--run-dir",
                        work.resolve("run").toString(), "--promote", "--bootstrap-servers", broker);
                assertOk(trained);
                assertThat(trained.getOutput()).contains("read 300 records (end of topic)", "Live: secured:1",
                        "Announced secured:1");

                LaunchResult promoted = launcher.launch("registry", "promote", "secured:1", "--registry", registry,
                        "--bootstrap-servers", broker);
                assertOk(promoted);
                assertThat(promoted.getOutput()).contains("Announced secured:1", "at " + broker);
            } finally {
                settings.keySet().forEach(key -> System.clearProperty("kafka." + key));
            }
        }
    }

    private static void assertOk(LaunchResult result) {
        assertThat(result.exitCode()).as(result.getOutput() + result.getErrorOutput()).isZero();
    }
}
