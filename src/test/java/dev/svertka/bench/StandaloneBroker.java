package dev.svertka.bench;

import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.svertka.kafka.EmbeddedKafka;

/**
 * The project's embedded KRaft broker as a process of its own, as a user's broker is: {@code java -cp ...
 * StandaloneBroker DATA_DIR} prints {@code BOOTSTRAP host:port} once it answers and runs until killed.
 */
public final class StandaloneBroker {

    static final String READY = "BOOTSTRAP ";

    private StandaloneBroker() {
    }

    public static void main(String[] args) throws Exception {
        // Unconfigured, JBoss LogManager (Kafka's logging here) enables every level, and the broker then formats its
        // debug and request-log lines on the hot path (a third of its request threads' CPU in a profile); a real
        // broker's log4j configuration says INFO
        Logger.getLogger("").setLevel(Level.INFO);
        EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(Path.of(args[0])));
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        System.out.println(READY + kafka.bootstrapServers());
        Thread.currentThread().join();
    }
}
