package dev.svertka.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link Container} run the way its pod runs it, on this machine: the image's fast-jar started by the image's
 * entry point ({@code java $JAVA_OPTS -jar quarkus-run.jar ARGS}) with the image's and the container's environment,
 * as the container's uid ({@code setpriv}; this must run as root for that, as CI does), in a working directory
 * it cannot write, with only its volumes (and, without {@code readOnlyRootFilesystem}, the directories the image
 * gives its user) writable. Paths in the container are directories under a sandbox here: every absolute path
 * in its arguments, environment and mounted files that falls in one is rewritten to it; any other absolute path
 * is taken as it is, where a non-root user can write nothing either. Two settings are replaced: the Kafka address
 * (the test's broker stands for the cluster's) and the HTTP port (pods have a network each).
 */
final class ContainerProcess implements AutoCloseable {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final String TMP = "/tmp";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Container container;
    private final Process process;
    private final Path log;
    private final int port;

    private ContainerProcess(Container container, Process process, Path log, int port) {
        this.container = container;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code container} in {@code sandbox} (shared volumes live there too) against {@code brokers}. */
    static ContainerProcess start(Container container, Path sandbox, String brokers) throws IOException {
        Dockerfile dockerfile = Dockerfile.read();
        String target = Dockerfile.targetOf(container.image());
        Path pod = sandbox.resolve("pods").resolve(container.name().replace('/', '_'));
        Map<String, Path> paths = new LinkedHashMap<>();
        for (Container.Mount mount : container.mounts()) {
            paths.put(mount.path(), mount.files().isEmpty()
                    ? writable(sandbox.resolve("volumes").resolve(mount.volume()), container.uid())
                    : pod.resolve("config").resolve(mount.path().substring(1)));
        }
        if (!container.readOnlyRoot()) {
            for (String directory : dockerfile.userDirectories()) {
                paths.putIfAbsent(directory, writable(pod.resolve("image").resolve(directory.substring(1)), container.uid()));
            }
            paths.putIfAbsent(TMP, writable(pod.resolve("image/tmp"), container.uid()));
        }
        // the rest of the root file system: the image's, read-only to its user
        Path rootFs = pod.resolve("rootfs");
        Path workDir = Files.createDirectories(rootFs.resolve("app"));
        readOnly(workDir);
        readOnly(rootFs);
        Rewriter rewriter = new Rewriter(paths, rootFs);
        for (Container.Mount mount : container.mounts()) {
            if (!mount.files().isEmpty()) {
                Path dir = Files.createDirectories(paths.get(mount.path()));
                for (Map.Entry<String, String> file : mount.files().entrySet()) {
                    Files.writeString(dir.resolve(file.getKey()), rewriter.apply(file.getValue()));
                }
                readOnly(dir);
            }
        }

        int port = freePort();
        Map<String, String> env = new LinkedHashMap<>();
        dockerfile.environment(target).forEach((key, value) -> env.put(key, rewriter.apply(value)));
        container.env().forEach((key, value) -> env.put(key, rewriter.apply(value)));
        env.put("KAFKA_BOOTSTRAP_SERVERS", brokers);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("HOME", rewriter.path(dockerfile.home()).toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");

        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("setpriv", "--reuid=" + container.uid(), "--regid=" + container.uid(),
                    "--clear-groups", "--"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(env.getOrDefault("JAVA_OPTS", "").split("\\s+")));
        // what the container's passwd entry, /tmp and memory limit give the JVM there
        command.add("-Duser.home=" + rewriter.path(dockerfile.home()));
        command.add("-Djava.io.tmpdir=" + rewriter.path(TMP));
        container.memoryLimit().ifPresent(limit -> command.add("-XX:MaxRAM=" + limit));
        command.addAll(List.of("-jar", dockerfile.application(target).toString()));
        container.args().forEach(arg -> command.add(rewriter.apply(arg)));
        command.removeIf(String::isEmpty);

        Path log = sandbox.resolve(container.name().replace('/', '_') + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return new ContainerProcess(container, builder.start(), log, port);
    }

    /** Waits until the log has {@code line}, failing at once if the process ends first. */
    ContainerProcess awaitLog(String line, Duration within) {
        await(container.name() + " to log '" + line + "'; see " + log).atMost(within)
                .pollInterval(Duration.ofMillis(250)).until(() -> !process.isAlive() || log().contains(line));
        assertThat(log()).as("%s ended:%n%s", container.name(), log()).contains(line);
        return this;
    }

    /** Waits for the process to end by itself and returns its exit code. */
    int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(container.name() + " still running after " + within + ":\n" + log());
        }
        return process.exitValue();
    }

    HttpResponse<String> http(HttpRequest.Builder request, String path) throws IOException, InterruptedException {
        return HTTP.send(request.uri(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Rewrites container paths in a value: whole path tokens under a mapped directory, longest first. */
    private record Rewriter(Map<String, Path> paths, Path rootFs) {

        private static final Pattern ABSOLUTE = Pattern.compile("(?<![\\w./+-])/[\\w.-]+(?:/[\\w.-]*)*");

        String apply(String value) {
            Matcher path = ABSOLUTE.matcher(value);
            StringBuilder out = new StringBuilder();
            while (path.find()) {
                String found = path.group();
                boolean mapped = paths.keySet().stream().anyMatch(p -> found.equals(p) || found.startsWith(p + "/"));
                path.appendReplacement(out, Matcher.quoteReplacement(mapped ? path(found).toString() : found));
            }
            return path.appendTail(out).toString();
        }

        /** The directory that stands for {@code path} in the container's file system. */
        Path path(String path) {
            return paths.entrySet().stream().filter(e -> path.equals(e.getKey()) || path.startsWith(e.getKey() + "/"))
                    .max(Comparator.comparingInt(e -> e.getKey().length()))
                    .map(e -> e.getValue().resolve(path.substring(e.getKey().length()).replaceFirst("^/", "")))
                    .orElse(rootFs.resolve(path.substring(1)));
        }
    }

    private static Path writable(Path dir, int uid) throws IOException {
        Files.createDirectories(dir);
        if (ROOT) {
            Files.setAttribute(dir, "unix:uid", uid);
            Files.setAttribute(dir, "unix:gid", uid);
        }
        return dir;
    }

    private static void readOnly(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }
}
