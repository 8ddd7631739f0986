package dev.svertka.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import dev.svertka.kafka.EmbeddedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real embedded broker for the serve tests that the tests can stop and start again on the same
 * port and data directory (the fault tests). Also lowers the payload limit to 1.5 MiB, above Kafka's
 * 1 MB default, so that the over-limit dead letter proves the raised producer limit, and the input of one ONNX
 * Runtime run to 3 of the 28x28 images, so that batches are classified in several runs with refusals among them.
 */
public class RestartableKafkaResource implements QuarkusTestResourceLifecycleManager {

    static final int MAX_PAYLOAD_BYTES = 3 << 19;
    static final int IMAGES_PER_RUN = 3;

    private static volatile EmbeddedKafka kafka;

    @Override
    public Map<String, String> start() {
        try {
            kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(Files.createTempDirectory("svertka-serve-kafka-")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                "svertka.inference.enabled", "true",
                "svertka.serve.max-payload-bytes", String.valueOf(MAX_PAYLOAD_BYTES),
                "svertka.serve.max-run-input", String.valueOf(IMAGES_PER_RUN * 28 * 28 * Float.BYTES));
    }

    /** Stops the broker, runs {@code whileDown}, and starts the broker again with its data and port. */
    static void restart(Runnable whileDown) throws IOException {
        EmbeddedKafka.Options options = kafka.options();
        kafka.close();
        try {
            whileDown.run();
        } finally {
            kafka = EmbeddedKafka.start(options);
        }
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
