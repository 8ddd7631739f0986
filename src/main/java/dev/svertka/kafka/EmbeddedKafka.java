package dev.svertka.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), started
 * in-process from Kafka's own jars. Used by {@code demo}, dev mode and the integration tests; in
 * production the application points {@code kafka.bootstrap.servers} at a real cluster instead.
 *
 * <p>The data directory survives {@link #close()}, so a broker restarted on the same directory and
 * port keeps its topics and committed offsets (what the fault tests rely on).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;

    /** Where and how to start. A port of 0 picks free ones. */
    public record Options(Path dataDir, int port, int defaultPartitions, int maxMessageBytes) {

        public static Options in(Path dataDir) {
            return new Options(dataDir, 0, 2, 8 * 1024 * 1024);
        }

        public Options withPort(int newPort) {
            return new Options(dataDir, newPort, defaultPartitions, maxMessageBytes);
        }
    }

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Options options;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Options options) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.options = options;
    }

    /** Formats the storage if needed, starts the broker and waits until it answers. */
    public static EmbeddedKafka start(Options options) throws IOException {
        int port = options.port() > 0 ? options.port() : freePort();
        int controllerPort = freePort();
        Properties props = brokerProperties(options, port, controllerPort);
        Files.createDirectories(options.dataDir());
        format(options.dataDir(), props);

        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        String bootstrap = "localhost:" + port;
        EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap, options.withPort(port));
        try {
            kafka.awaitReady(Duration.ofSeconds(60));
        } catch (IOException | RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.infof("Embedded Kafka broker (KRaft) ready at %s, data in %s", bootstrap, options.dataDir());
        return kafka;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Clients of this broker. */
    public KafkaClients clients() {
        return KafkaClients.at(bootstrapServers);
    }

    /** The options with the port actually bound, to restart the same broker later. */
    public Options options() {
        return options;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.infof("Embedded Kafka broker at %s stopped", bootstrapServers);
    }

    private static Properties brokerProperties(Options options, int port, int controllerPort) {
        Properties p = new Properties();
        p.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(NODE_ID)),
                Map.entry("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://localhost:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", options.dataDir().resolve("logs").toString()),
                Map.entry("num.partitions", String.valueOf(options.defaultPartitions())),
                Map.entry("message.max.bytes", String.valueOf(options.maxMessageBytes())),
                // one node: every internal topic has a single replica
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "4"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                // no reason to wait for more group members on a single-node broker
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE))));
        return p;
    }

    private static void format(Path dataDir, Properties props) throws IOException {
        if (Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
            return; // formatted by an earlier start: keep its cluster id and data
        }
        Path config = dataDir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(config)) {
            props.store(out, "embedded KRaft broker, written by Svertka");
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String[] args = {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()};
        int status;
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(args, out);
        } catch (Exception e) {
            throw new IOException("Could not format Kafka storage in " + dataDir + ": " + e.getMessage(), e);
        }
        if (status != 0) {
            throw new IOException("Formatting Kafka storage in " + dataDir + " failed (" + status + "): " + log);
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        Map<String, Object> config = clients().admin(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(config)) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("Embedded Kafka at " + bootstrapServers + " did not answer within "
                                + timeout.toSeconds() + " s", e);
                    }
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IOException("Interrupted while waiting for Kafka", e);
                    }
                }
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free local port", e);
        }
    }
}
