package dev.svertka.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real embedded broker whose client listener takes only SASL/PLAIN user {@link #USER}, with the application
 * configured as a secured deployment is: {@code kafka.security.protocol}, {@code kafka.sasl.mechanism},
 * {@code kafka.sasl.jaas.config} (what {@code KAFKA_SECURITY_PROTOCOL}, ... set in a pod). Init argument
 * {@link #INFERENCE} {@code true} runs the inference pipeline too, as {@link EmbeddedKafkaResource} does.
 */
public class SaslKafkaResource implements QuarkusTestResourceLifecycleManager {

    public static final String USER = "svertka";
    public static final String INFERENCE = "inference";
    private static final String PASSWORD = "svertka-secret";

    private EmbeddedKafka kafka;
    private boolean inference;

    @Override
    public void init(Map<String, String> initArgs) {
        inference = Boolean.parseBoolean(initArgs.get(INFERENCE));
    }

    @Override
    public Map<String, String> start() {
        try {
            kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(Files.createTempDirectory("svertka-sasl-kafka-"))
                    .withUsers(Map.of(USER, PASSWORD)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        kafka.clientSettings(USER).forEach((key, value) -> config.put("kafka." + key, value));
        config.put("svertka.inference.enabled", String.valueOf(inference));
        return config;
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
