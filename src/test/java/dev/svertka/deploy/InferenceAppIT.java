package dev.svertka.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.image.ImageEncoder;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.JobSpec;
import dev.svertka.train.TrainingPipeline;

/**
 * The inference app (target/inference-app, the inference image's) after {@code package}: its libraries hold none
 * of the training stack but what serving needs, and run as real processes it serves a model over HTTP, has no
 * trainer API and refuses the commands that train in one line. (InstanceFailoverIT serves it on Kafka.)
 */
class InferenceAppIT {

    private static final Path FULL = AppConfig.ROOT.resolve("target/quarkus-app");
    private static final Path LEAN = AppConfig.ROOT.resolve("target/inference-app");
    private static final Pattern ONLY_THEIRS =
            Pattern.compile("<training-stack\\.only-theirs>([^<]+)</training-stack\\.only-theirs>");

    @TempDir
    Path work;

    @Test
    void itsLibrariesHoldNoTrainingStackButWhatServingNeeds() throws IOException {
        List<String> lean = jars(LEAN);
        List<String> full = jars(FULL);
        assertThat(lean).as("DL4J, ND4J, JavaCPP").noneMatch(jar -> jar.matches("org\\.(nd4j|deeplearning4j|bytedeco)\\..*"))
                .anyMatch(jar -> jar.startsWith("com.microsoft.onnxruntime.onnxruntime-"))
                .anyMatch(jar -> jar.startsWith("org.apache.kafka.kafka-clients-"));
        Matcher listed = ONLY_THEIRS.matcher(Files.readString(AppConfig.ROOT.resolve("pom.xml")));
        assertThat(listed.find()).isTrue();
        for (String artifact : listed.group(1).split(",")) {
            String prefix = artifact.replace(':', '.') + "-";
            assertThat(full).as(artifact + " in the full app").anyMatch(jar -> jar.startsWith(prefix));
            assertThat(lean).as(artifact + " in the inference app").noneMatch(jar -> jar.startsWith(prefix));
        }
        assertThat(size(LEAN.resolve("lib/main"))).as("the inference app's jars against the full app's")
                .isLessThan(size(FULL.resolve("lib/main")) / 2);
    }

    @Test
    void itShowsItsCommandsAndRefusesEachThatTrainsInOneLine() throws Exception {
        Run help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).contains("serve", "send", "registry");
        for (String command : AppConfig.trainingCommands()) {
            Run refused = run(command, "--data", "synthetic:600");
            assertThat(refused.exitCode()).as(command).isEqualTo(1);
            assertThat(refused.output()).as(command)
                    .isEqualTo("error: `" + command + "` needs the trainer image (svertka-trainer) or target/quarkus-app;"
                            + " this is the inference image, without DL4J/ND4J\n");
        }
        Run registry = run("registry", "list", "--registry",
                Files.createDirectories(work.resolve("registry")).toString());
        assertThat(registry.exitCode()).isZero();
        assertThat(registry.output()).contains("No models in");
    }

    @Test
    void itServesAModelOverHttpWithoutTheTrainerApi() throws Exception {
        TrainingPipeline.Result trained = new TrainingPipeline(System.out).run(JobSpec.builder().data("synthetic:600")
                .model("digits").epochs(1).batchSize(64).seed(5).runDir(work.resolve("run").toString()).build(),
                new ModelRegistry(work.resolve("registry")));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path log = work.resolve("serve.log");
        // no broker: HTTP answers without one, and the Kafka clients only retry meanwhile
        Process serve = start(log, List.of("-Dquarkus.http.port=" + port, "-Dsvertka.trainer.token=secret"), "serve",
                "--model", "digits", "--registry", work.resolve("registry").toString(),
                "--bootstrap-servers", "localhost:1");
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(log).contains("Serving "));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> prediction = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                            + "/predict?id=one")).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ImageEncoder.png(trained.data().test(), 0))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(prediction.statusCode()).as(prediction.body()).isEqualTo(200);
            assertThat(prediction.body()).contains("\"id\":\"one\"", "\"model\":\"digits\"", "\"top\":[{\"label\"");
            HttpResponse<String> jobs = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs"))
                    .header("Authorization", "Bearer secret").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(jobs.statusCode()).as("the trainer API is left out").isEqualTo(404);
            for (String console : List.of("/", "/console/console.js", "/registry", "/webjars/uplot/dist/uPlot.min.css")) {
                HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + console)).header("Authorization", "Bearer secret").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).as("the web console is left out: " + console).isEqualTo(404);
            }
            // no broker: not ready (no traffic, a rollout stops), but alive (a restart would not help)
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
            JsonNode kafka = null;
            for (JsonNode check : new ObjectMapper().readTree(ready.body()).path("checks")) {
                kafka = check.path("name").asText().equals("kafka") ? check : kafka;
            }
            assertThat(kafka).as(ready.body()).isNotNull();
            assertThat(kafka.path("status").asText()).isEqualTo("DOWN");
            assertThat(kafka.path("data").path("bootstrap").asText()).isEqualTo("localhost:1");
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/q/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        } finally {
            serve.destroy();
            serve.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private record Run(int exitCode, String output) {
    }

    /** The inference app's command line to its end; stdout and stderr together. */
    private Run run(String... args) throws IOException, InterruptedException {
        Path log = work.resolve("run.log");
        Process process = start(log, List.of(), args);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("java -jar ... " + String.join(" ", args)).isTrue();
        return new Run(process.exitValue(), Files.readString(log));
    }

    private Process start(Path log, List<String> jvmOptions, String... args) throws IOException {
        Path jar = LEAN.resolve("quarkus-run.jar");
        assertThat(jar).as("the inference app (integration-test phase, after package)").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private static List<String> jars(Path app) throws IOException {
        try (Stream<Path> jars = Files.list(app.resolve("lib/main"))) {
            return jars.map(jar -> jar.getFileName().toString()).toList();
        }
    }

    private static long size(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }
}
