package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
