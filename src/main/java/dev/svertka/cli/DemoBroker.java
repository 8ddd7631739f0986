package dev.svertka.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.svertka.kafka.EmbeddedKafka;

/** The demo's broker: an embedded KRaft node on a fresh temporary directory. */
final class DemoBroker {

    // Quarkus' log settings are not active yet when the broker starts; keep Kafka's start-up quiet
    private static final Logger[] QUIETED = {Logger.getLogger("kafka"), Logger.getLogger("org.apache.kafka"),
            Logger.getLogger("state.change.logger")};

    private DemoBroker() {
    }

    static EmbeddedKafka start() throws IOException {
        for (Logger logger : QUIETED) {
            logger.setLevel(Level.SEVERE);
        }
        Path dataDir = Files.createTempDirectory("svertka-demo-kafka-");
        System.out.println("Starting embedded Kafka broker (KRaft) in " + dataDir);
        return EmbeddedKafka.start(EmbeddedKafka.Options.in(dataDir));
    }
}
