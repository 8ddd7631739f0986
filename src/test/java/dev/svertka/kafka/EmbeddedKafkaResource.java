package dev.svertka.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real embedded KRaft broker for a {@code @QuarkusTest} and points the application at it. The init arg
 * {@value #MESSAGE_MAX_BYTES} sets the broker's {@code message.max.bytes} (default: the embedded broker's).
 */
public class EmbeddedKafkaResource implements QuarkusTestResourceLifecycleManager {

    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";

    private EmbeddedKafka kafka;
    private Map<String, String> args = Map.of();

    @Override
    public void init(Map<String, String> initArgs) {
        args = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        try {
            EmbeddedKafka.Options options = EmbeddedKafka.Options.in(Files.createTempDirectory("svertka-test-kafka-"));
            if (args.containsKey(MESSAGE_MAX_BYTES)) {
                options = options.withMaxMessageBytes(Integer.parseInt(args.get(MESSAGE_MAX_BYTES)));
            }
            kafka = EmbeddedKafka.start(options);
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
