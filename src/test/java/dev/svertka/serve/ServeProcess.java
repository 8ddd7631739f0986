package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A packaged app run as its own process, the way a pod (the inference app, {@code target/inference-app}) or a user
 * ({@code ./svertka}'s {@code target/quarkus-app}) runs it, on a free HTTP port; its output goes to a log file.
 * Closing it stops it (SIGTERM, then SIGKILL).
 */
public final class ServeProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private ServeProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** The inference app: {@code java JVM_OPTIONS -jar target/inference-app/quarkus-run.jar ARGS}. */
    static ServeProcess start(Path log, List<String> jvmOptions, String... args) throws IOException {
        return start(Path.of("target", "inference-app", "quarkus-run.jar"), log, jvmOptions, args);
    }

    /** Starts {@code java JVM_OPTIONS -jar JAR ARGS}. */
    public static ServeProcess start(Path jar, Path log, List<String> jvmOptions, String... args) throws IOException {
        assertThat(jar).as("the packaged app (run after package)").exists();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dquarkus.http.port=" + port));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServeProcess(process, log, port);
    }

    /** Waits for the model to be loaded and the pipeline to run. */
    public ServeProcess awaitServing() {
        await("serving; see " + log).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> !process.isAlive() || log().contains("Serving "));
        assertThat(process.isAlive()).as(this::log).isTrue();
        return this;
    }

    public Process process() {
        return process;
    }

    public int port() {
        return port;
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
