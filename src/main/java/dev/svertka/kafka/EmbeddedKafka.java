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
import java.security.Provider;
import java.security.Security;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.plain.internals.PlainSaslServerProvider;
import org.apache.kafka.common.security.scram.ScramLoginModule;
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
 *
 * <p>Given users, the client listener takes their SASL/PLAIN and SCRAM-SHA-512 logins (what managed clusters and
 * Strimzi's KafkaUsers use) and refuses clients without one, as a secured cluster does; the broker logs in to
 * itself as a user of its own. Given a key store, it speaks TLS (SSL,
 * or SASL_SSL with users). The controller listener, which only the node itself uses, stays plain.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    /** The name {@link PlainSaslServerProvider} registers under. */
    private static final String PLAIN_PROVIDER = "Simple SASL/PLAIN Server Provider";
    private static final ScramMechanism SCRAM = ScramMechanism.SCRAM_SHA_512;

    /**
     * Where and how to start. A port of 0 picks free ones.
     *
     * @param users SASL/PLAIN users of the client listener (name → password); none: no login
     * @param tls   the listener's certificate; empty: plain TCP
     */
    public record Options(Path dataDir, int port, int defaultPartitions, int maxMessageBytes, Map<String, String> users,
                          Optional<Tls> tls) {

        public Options {
            users = Map.copyOf(users);
        }

        /** Topics made without {@link Topics} (auto-created by a first producer) take what Svertka's do. */
        public static Options in(Path dataDir) {
            return new Options(dataDir, 0, 2, Topics.MAX_MESSAGE_BYTES, Map.of(), Optional.empty());
        }

        public Options withPort(int newPort) {
            return new Options(dataDir, newPort, defaultPartitions, maxMessageBytes, users, tls);
        }

        /** The broker's {@code message.max.bytes}: the default of topics that do not set their own. */
        public Options withMaxMessageBytes(int newMaxMessageBytes) {
            return new Options(dataDir, port, defaultPartitions, newMaxMessageBytes, users, tls);
        }

        /** A client listener that takes only these SASL/PLAIN users (name → password). */
        public Options withUsers(Map<String, String> newUsers) {
            return new Options(dataDir, port, defaultPartitions, maxMessageBytes, newUsers, tls);
        }

        /** A client listener that speaks TLS with this certificate. */
        public Options withTls(Tls newTls) {
            return new Options(dataDir, port, defaultPartitions, maxMessageBytes, users, Optional.of(newTls));
        }

        boolean sasl() {
            return !users.isEmpty();
        }

        SecurityProtocol protocol() {
            if (tls.isPresent()) {
                return sasl() ? SecurityProtocol.SASL_SSL : SecurityProtocol.SSL;
            }
            return sasl() ? SecurityProtocol.SASL_PLAINTEXT : SecurityProtocol.PLAINTEXT;
        }
    }

    /**
     * A certificate for {@code localhost}: the broker's key in PKCS12 {@code keyStore}, its certificate in PKCS12
     * {@code trustStore} for the clients (and the broker's own), both under {@code password}.
     */
    public record Tls(Path keyStore, Path trustStore, String password) {
    }

    /** The user the broker logs in to itself as (inter-broker requests), with a password of this start's. */
    private static final String BROKER_USER = "svertka-broker";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Options options;
    private final String brokerPassword;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Options options, String brokerPassword) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.options = options;
        this.brokerPassword = brokerPassword;
    }

    /** Formats the storage if needed, starts the broker and waits until it answers. */
    public static EmbeddedKafka start(Options options) throws IOException {
        int port = options.port() > 0 ? options.port() : freePort();
        int controllerPort = freePort();
        String brokerPassword = UUID.randomUUID().toString();
        Properties props = brokerProperties(options, port, controllerPort, brokerPassword);
        Files.createDirectories(options.dataDir());
        format(options.dataDir(), props);
        if (options.sasl()) {
            ownPlainProvider();
        }

        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        String bootstrap = "localhost:" + port;
        EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap, options.withPort(port), brokerPassword);
        try {
            kafka.awaitReady(Duration.ofSeconds(60));
            if (options.sasl()) {
                kafka.addScramUsers();
            }
        } catch (IOException | RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.infof("Embedded Kafka broker (KRaft) ready at %s (%s), data in %s", bootstrap, options.protocol(),
                options.dataDir());
        return kafka;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Plain clients with no credentials: all a plain broker asks for; a secured one refuses them. */
    public KafkaClients clients() {
        return KafkaClients.at(bootstrapServers);
    }

    /** Clients that log in as {@code user}, one of {@link Options#users}. */
    public KafkaClients clients(String user) {
        return KafkaClients.of(clientSettings(user));
    }

    /** The Kafka client properties of {@code user}'s clients (what {@code kafka.*} would say to the application). */
    public Map<String, String> clientSettings(String user) {
        String password = options.users().get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user '" + user + "' on the broker at " + bootstrapServers);
        }
        return settings(user, password);
    }

    /** Client settings for this listener: its protocol, {@code user}'s login if it takes logins, its certificate. */
    private Map<String, String> settings(String user, String password) {
        Map<String, String> settings = new HashMap<>(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, options.protocol().name));
        if (options.sasl()) {
            settings.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            settings.put(SaslConfigs.SASL_JAAS_CONFIG, plainLogin(user, password, ""));
        }
        options.tls().ifPresent(tls -> settings.putAll(trusting(tls)));
        return Map.copyOf(settings);
    }

    private static Map<String, String> trusting(Tls tls) {
        return Map.of(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.trustStore().toString(),
                SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, tls.password(),
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    }

    /** A PLAIN login as {@code user}; on a broker's listener, {@code accepted} lists the users it takes. */
    private static String plainLogin(String user, String password, String accepted) {
        return PlainLoginModule.class.getName() + " required username=\"" + user + "\" password=\"" + password + "\""
                + accepted + ";";
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

    private static Properties brokerProperties(Options options, int port, int controllerPort, String brokerPassword) {
        String listener = options.protocol().name;
        Properties p = new Properties();
        p.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(NODE_ID)),
                Map.entry("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort),
                Map.entry("listeners", listener + "://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort),
                Map.entry("advertised.listeners", listener + "://localhost:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", listener),
                Map.entry("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT"),
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
        options.tls().ifPresent(tls -> {
            p.putAll(trusting(tls)); // the broker's own connections to itself
            p.putAll(Map.of(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, tls.keyStore().toString(),
                    SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, tls.password(),
                    SslConfigs.SSL_KEY_PASSWORD_CONFIG, tls.password(),
                    SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12"));
        });
        if (options.sasl()) {
            Map<String, String> users = new HashMap<>(options.users());
            users.put(BROKER_USER, brokerPassword);
            String accepted = users.entrySet().stream()
                    .map(u -> " user_" + u.getKey() + "=\"" + u.getValue() + "\"").collect(Collectors.joining());
            p.put("sasl.enabled.mechanisms", "PLAIN," + SCRAM.mechanismName());
            p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            // authentication alone: no authorizer, so every user that logs in may do anything
            p.put("listener.name." + listener.toLowerCase(Locale.ROOT) + ".plain.sasl.jaas.config",
                    plainLogin(BROKER_USER, brokerPassword, accepted));
            // SCRAM's users are in the cluster's metadata (addScramUsers), not in the listener's settings
            p.put("listener.name." + listener.toLowerCase(Locale.ROOT) + "." + SCRAM.mechanismName().toLowerCase(Locale.ROOT)
                    + ".sasl.jaas.config", ScramLoginModule.class.getName() + " required;");
        }
        return p;
    }

    /**
     * Kafka's SASL/PLAIN server is a JVM-wide security provider, registered once: one left by another class loader
     * (an earlier Quarkus application of this JVM: tests, dev mode) makes callbacks this broker's handler does not
     * know, and every login fails. This broker's own takes its place.
     */
    private static synchronized void ownPlainProvider() {
        Provider registered = Security.getProvider(PLAIN_PROVIDER);
        if (registered != null && registered.getClass() != PlainSaslServerProvider.class) {
            Security.removeProvider(registered.getName());
        }
        PlainSaslServerProvider.initialize();
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

    /** Gives the users SCRAM-SHA-512 credentials too, and waits until the broker knows them. */
    private void addScramUsers() throws IOException {
        List<UserScramCredentialAlteration> upserts = options.users().entrySet().stream()
                .<UserScramCredentialAlteration>map(user -> new UserScramCredentialUpsertion(user.getKey(),
                        new ScramCredentialInfo(SCRAM, 4096), user.getValue()))
                .toList();
        try (Admin admin = Admin.create(brokerAdmin())) {
            admin.alterUserScramCredentials(upserts).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin.describeUserScramCredentials(List.copyOf(options.users().keySet())).all()
                    .get(30, TimeUnit.SECONDS).size() < upserts.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("SCRAM users of the embedded Kafka at " + bootstrapServers + " not visible");
                }
                Thread.sleep(100);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("Could not add SCRAM users to the embedded Kafka at " + bootstrapServers + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while adding SCRAM users", e);
        }
    }

    private Map<String, Object> brokerAdmin() {
        return KafkaClients.of(settings(BROKER_USER, brokerPassword)).admin(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
    }

    private void awaitReady(Duration timeout) throws IOException {
        Map<String, Object> config = brokerAdmin();
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
