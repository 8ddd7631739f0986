package dev.svertka.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the few command-line options that Quarkus needs at start-up into system properties:
 * only server commands listen on HTTP; the Kafka channels of the inference pipeline are wired while Quarkus starts, before picocli
 * parses the command, so {@code serve} and {@code demo} must enable them (every other command
 * leaves them off and never touches Kafka through them) and name the broker and topic first. The demo also
 * serves the web console: it needs a token, a registry and a port before start-up too.
 */
final class LaunchSettings {

    static final String INFERENCE_ENABLED = "svertka.inference.enabled";
    static final String HTTP_ENABLED = "svertka.http.enabled";
    static final String TOKEN = "svertka.trainer.token";
    static final String REGISTRY = "svertka.serve.registry";
    static final String PORT = "quarkus.http.port";
    private static final int DEFAULT_PORT = 8080;
    private static final Set<String> INFERENCE_COMMANDS = Set.of("serve", "demo");
    private static final Set<String> SERVER_COMMANDS = Set.of("serve", "trainer", "demo");
    private static final Set<String> HELP = Set.of("-h", "--help", "-V", "--version");

    private LaunchSettings() {
    }

    static void apply(String... args) {
        if (args.length == 0 || asksForHelp(args)) {
            return;
        }
        if (SERVER_COMMANDS.contains(args[0])) {
            System.setProperty(HTTP_ENABLED, "true");
        }
        if (!INFERENCE_COMMANDS.contains(args[0])) {
            return;
        }
        System.setProperty(INFERENCE_ENABLED, "true");
        option(args, "--bootstrap-servers").ifPresent(v -> System.setProperty("kafka.bootstrap.servers", v));
        option(args, "--topic").ifPresent(v -> System.setProperty("svertka.topics.images", v));
        // a pinned NAME:VERSION must be known at start-up, when the model watcher decides whether to follow
        option(args, "--model").ifPresent(v -> System.setProperty("svertka.serve.model", v));
        // the registry bean (ConfiguredRegistry) is the one the model watcher resolves announced versions in
        option(args, "--registry").ifPresent(v -> System.setProperty(REGISTRY, v));
        if (args[0].equals("demo")) {
            demoConsole();
        }
    }

    /**
     * The demo's console: a random token unless one is configured, the registry the demo trains into (a new
     * temporary one unless given: the console shows the same), and port 8080 unless it is taken or another is set.
     */
    private static void demoConsole() {
        if (System.getProperty(TOKEN) == null && System.getenv("SVERTKA_TRAINER_TOKEN") == null) {
            byte[] token = new byte[16];
            new SecureRandom().nextBytes(token);
            System.setProperty(TOKEN, HexFormat.of().formatHex(token));
        }
        try {
            if (System.getProperty(REGISTRY) == null) {
                System.setProperty(REGISTRY, Files.createTempDirectory("svertka-demo-registry-").toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the demo's registry directory", e);
        }
        if (System.getProperty(PORT) == null && System.getenv("QUARKUS_HTTP_PORT") == null && !free(DEFAULT_PORT)) {
            System.setProperty(PORT, "0"); // any free one: a demo must not fail for a busy port
        }
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean needsDemoBroker(String... args) {
        return args.length > 0 && args[0].equals("demo") && !asksForHelp(args);
    }

    private static boolean asksForHelp(String... args) {
        return Arrays.stream(args).anyMatch(HELP::contains);
    }

    static Optional<String> option(String[] args, String name) {
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) {
                return Optional.of(args[i + 1]);
            }
            if (args[i].startsWith(name + "=")) {
                return Optional.of(args[i].substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }
}
