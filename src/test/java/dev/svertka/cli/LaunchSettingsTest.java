package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LaunchSettingsTest {

    @AfterEach
    void clear() {
        System.clearProperty(LaunchSettings.INFERENCE_ENABLED);
        System.clearProperty(LaunchSettings.HTTP_ENABLED);
        System.clearProperty("kafka.bootstrap.servers");
        System.clearProperty("svertka.topics.images");
        System.clearProperty("svertka.serve.model");
        System.clearProperty("svertka.serve.registry");
        System.clearProperty(LaunchSettings.TOKEN);
        System.clearProperty(LaunchSettings.PORT);
    }

    @Test
    void serveEnablesThePipelineAndNamesBrokerAndTopic() {
        LaunchSettings.apply("serve", "--model", "m:2", "--bootstrap-servers", "kafka:9092", "--topic=pictures",
                "--registry", "models");

        assertThat(System.getProperty(LaunchSettings.INFERENCE_ENABLED)).isEqualTo("true");
        assertThat(System.getProperty(LaunchSettings.HTTP_ENABLED)).isEqualTo("true");
        assertThat(System.getProperty("kafka.bootstrap.servers")).isEqualTo("kafka:9092");
        assertThat(System.getProperty("svertka.topics.images")).isEqualTo("pictures");
        assertThat(System.getProperty("svertka.serve.model")).as("pins the watcher").isEqualTo("m:2");
        assertThat(System.getProperty("svertka.serve.registry")).as("the registry bean").isEqualTo("models");
    }

    @Test
    void otherCommandsAndHelpLeaveKafkaAlone() {
        LaunchSettings.apply("train", "--bootstrap-servers", "kafka:9092");
        LaunchSettings.apply("serve", "--help");

        assertThat(System.getProperty(LaunchSettings.INFERENCE_ENABLED)).isNull();
        assertThat(System.getProperty(LaunchSettings.HTTP_ENABLED)).isNull();
        assertThat(System.getProperty("kafka.bootstrap.servers")).isNull();
        assertThat(LaunchSettings.needsDemoBroker("demo", "--help")).isFalse();
        assertThat(LaunchSettings.needsDemoBroker("demo", "--images", "10")).isTrue();
    }

    @Test
    void theTrainerRoleListensOnHttpButLeavesKafkaAlone() {
        LaunchSettings.apply("trainer");

        assertThat(System.getProperty(LaunchSettings.HTTP_ENABLED)).isEqualTo("true");
        assertThat(System.getProperty(LaunchSettings.INFERENCE_ENABLED)).isNull();
    }

    @Test
    void theDemoServesTheConsoleWithAFreshTokenOnTheRegistryItTrainsInto() throws Exception {
        LaunchSettings.apply("demo", "--images", "10");
        String token = System.getProperty(LaunchSettings.TOKEN);
        Path registry = Path.of(System.getProperty(LaunchSettings.REGISTRY));
        System.clearProperty(LaunchSettings.TOKEN);
        System.clearProperty(LaunchSettings.REGISTRY);
        LaunchSettings.apply("demo");

        assertThat(System.getProperty(LaunchSettings.HTTP_ENABLED)).isEqualTo("true");
        assertThat(token).hasSize(32).isNotEqualTo(System.getProperty(LaunchSettings.TOKEN));
        assertThat(registry).isEmptyDirectory();
        Files.delete(registry);
        try (ServerSocket held = holding(8080)) {
            // 8080 busy (held here, or by something else already): the console takes any free port
            LaunchSettings.apply("demo", "--registry", "mine");
            assertThat(System.getProperty(LaunchSettings.PORT)).isEqualTo("0");
        }
        System.setProperty(LaunchSettings.PORT, "8181");
        LaunchSettings.apply("demo", "--registry", "mine");
        assertThat(System.getProperty(LaunchSettings.PORT)).as("a port given is kept").isEqualTo("8181");
        assertThat(System.getProperty(LaunchSettings.REGISTRY)).isEqualTo("mine");
    }

    /** A socket holding {@code port}, or null when something else holds it. */
    private static ServerSocket holding(int port) {
        try {
            return new ServerSocket(port);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
