package dev.svertka.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts a real embedded KRaft broker for a {@code @QuarkusTest} and points the application at it. */
public class EmbeddedKafkaResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedKafka kafka;

    @Override
    public Map<String, String> start() {
        try {
            kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(Files.createTempDirectory("svertka-test-kafka-")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                "svertka.inference.enabled", "true");
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
