package dev.svertka.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.Topics;
import dev.svertka.serve.ServeProcess;
import dev.svertka.serve.TrainedDigits;

/**
 * Serving throughput as a user sees it, not a test (its name keeps it out of {@code ./mvnw verify}): the broker in a
 * process of its own, {@code serve} as {@code ./svertka} runs it (the packaged {@code target/quarkus-app}, its own
 * JVM), and a Python client (confluent-kafka: {@code benchmarks/user_client.py}) sending 100,000 Fashion-MNIST
 * test images at once, raw and PNG, and reading every outcome back; beside it, the same client's Kafka-only ceiling
 * in the same place and the Python peer ({@code benchmarks/python_reference.py}) fed by the same client. Run after
 * packaging:
 * <pre>./mvnw -B package -DskipTests &amp;&amp; ./mvnw -B test -Dtest=UserShapedBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Options: {@code -Dbench.partitions=4,12}, {@code -Dbench.encodings=raw,png}, {@code -Dbench.images=100000} (a
 * burst), {@code -Dbench.warmUp=100000} and {@code -Dbench.warmUpRounds=2} (bursts of each encoding first, reported
 * apart), {@code -Dbench.rounds=2} (each encoding's measured burst, after the best of three Kafka-alone runs, the order
 * alternating), {@code -Dbench.pythonImages=20000}, {@code -Dbench.serveOptions="-Dsvertka.serve.x=y ..."} and
 * {@code -Dbench.brokerOptions=...} (JVM options of serve and the broker: a setting to compare, a profiler agent),
 * {@code -Dbench.profile=true} (a JFR recording of serve per partition count in target/benchmark). Results: stdout
 * and target/benchmark/user-shaped.md.
 */
class UserShapedBenchmark {

    private static final int IMAGES = Integer.getInteger("bench.images", 100_000);
    private static final int PYTHON_IMAGES = Integer.getInteger("bench.pythonImages", 20_000);
    private static final int WARM_UP = Integer.getInteger("bench.warmUp", 100_000);
    private static final int WARM_UP_ROUNDS = Integer.getInteger("bench.warmUpRounds", 2);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
    private static final int MALFORMED = 20;
    private static final String PYTHON = System.getProperty("bench.python", "/usr/bin/python3");
    private static final Path OUT = Path.of("target", "benchmark");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private final BenchReport report = new BenchReport();
    /** The pipeline's mean images/s by "PARTITIONS ENCODING", for the Python peer's ratio. */
    private final Map<String, Double> means = new TreeMap<>();

    @Test
    void run() throws Exception {
        Process probe = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka, numpy, PIL, torch")
                .redirectErrorStream(true).start();
        assertThat(probe.waitFor()).as("Debian's python3-confluent-kafka, python3-numpy, python3-pil, python3-torch")
                .isZero();
        assertThat(Path.of("/usr/share/datasets/fashion-mnist")).as("Debian's dataset-fashion-mnist").exists();
        TrainedDigits.into(work, 1);
        report.machine();
        for (String partitions : System.getProperty("bench.partitions", "4,12").split(",")) {
            measure(Integer.parseInt(partitions.strip()));
        }
        report.machine();
        report.write(OUT.resolve("user-shaped.md"));
    }

    private void measure(int partitions) throws Exception {
        Process broker = broker(work.resolve("kafka-" + partitions));
        try {
            String brokers = bootstrap(broker);
            Topics.ensure(KafkaClients.at(brokers), Map.of("images", partitions, "predictions", partitions,
                    "images-dlq", partitions));
            try (ServeProcess serve = serve(brokers, partitions).awaitServing()) {
                String[] encodings = System.getProperty("bench.encodings", "raw,png").split(",");
                // warm-up: on 2 busy cores both JVMs take a few hundred thousand images to compile their hot paths
                // (the first burst after a start is what a user trying it once sees: reported too)
                for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
                    for (String encoding : encodings) {
                        Run warming = Run.of(broker, serve, () -> client(brokers, encoding, "burst", "--count",
                                String.valueOf(WARM_UP)));
                        report.line("%d partitions, %s, warm-up %d: %.0f images/s (CPU µs an image: %s; by thread: %s)",
                                partitions, encoding, round, warming.perSecond(), warming.cpuPerImage(),
                                warming.threads());
                    }
                }
                Map<String, List<Double>> rates = new TreeMap<>();
                Map<String, Double> ceilings = new TreeMap<>();
                for (int round = 1; round <= ROUNDS; round++) {
                    // alternate which encoding goes first: the first burst after a switch pays for more compiling
                    List<String> order = new ArrayList<>(List.of(encodings));
                    if (round % 2 == 0) {
                        Collections.reverse(order);
                    }
                    for (String encoding : order) {
                        Run ceiling = ceiling(broker, serve, brokers, encoding, partitions);
                        Run pipeline = Run.of(broker, serve, () -> client(brokers, encoding, "burst", "--malformed",
                                String.valueOf(MALFORMED)));
                        report(partitions, encoding, round, ceiling, pipeline);
                        JsonNode burst = pipeline.result();
                        assertThat(burst.get("missing").asInt() + burst.get("duplicates").asInt())
                                .as("every image exactly once: " + burst).isZero();
                        assertThat(burst.get("dead_letters").elements()).toIterable()
                                .as("the broken payloads dead-lettered: " + burst)
                                .extracting(JsonNode::asInt).containsExactly(MALFORMED);
                        rates.computeIfAbsent(encoding, e -> new ArrayList<>()).add(pipeline.perSecond());
                        ceilings.merge(encoding, ceiling.perSecond(), Math::max);
                    }
                }
                summary(partitions, rates, ceilings);
            }
            pythonPeer(brokers, partitions);
        } finally {
            broker.destroy();
            broker.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** The best of three Kafka-alone runs: the ceiling is what Kafka and the client can do, not a bad moment's. */
    private static Run ceiling(Process broker, ServeProcess serve, String brokers, String encoding, int partitions)
            throws IOException, InterruptedException {
        Run best = null;
        for (int i = 0; i < 3; i++) {
            Run run = Run.of(broker, serve, () -> client(brokers, encoding, "ceiling", "--partitions",
                    String.valueOf(partitions)));
            best = best == null || run.perSecond() > best.perSecond() ? run : best;
        }
        return best;
    }

    private void report(int partitions, String encoding, int round, Run ceiling, Run pipeline) {
        JsonNode burst = pipeline.result();
        report.line("%d partitions, %s (%d B a payload), round %d: Kafka alone, produced (%.0f/s) then read back:"
                + " %.0f/s (CPU µs an image: %s) | pipeline: %d of %d accounted for (%s dead-lettered; %d missing,"
                + " %d duplicates) in %.1f s = **%.0f images/s = %.0f %% of Kafka alone** (CPU µs an image: %s);"
                + " client produced at %.0f/s", partitions, encoding, burst.get("mean_payload_bytes").asInt(), round,
                ceiling.result().get("produce_per_s").asDouble(), ceiling.perSecond(), ceiling.cpuPerImage(),
                burst.get("accounted").asInt(), IMAGES, burst.get("dead_letters"), burst.get("missing").asInt(),
                burst.get("duplicates").asInt(), burst.get("seconds").asDouble(), pipeline.perSecond(),
                100 * pipeline.perSecond() / ceiling.perSecond(), pipeline.cpuPerImage(),
                burst.get("produce_per_s").asDouble());
        report.line("%d partitions, %s, round %d, CPU µs an image by thread: Kafka alone: %s | pipeline: %s",
                partitions, encoding, round, ceiling.threads(), pipeline.threads());
    }

    private void summary(int partitions, Map<String, List<Double>> rates, Map<String, Double> ceilings) {
        StringBuilder line = new StringBuilder(partitions + " partitions, summary:");
        rates.forEach((encoding, perRound) -> {
            double mean = perRound.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            line.append(String.format(" %s %s images/s (mean %.0f) = %.0f %% of Kafka alone's best %.0f/s;",
                    encoding, perRound.stream().map(r -> String.format("%.0f", r)).toList(), mean,
                    100 * mean / ceilings.get(encoding), ceilings.get(encoding)));
            means.put(partitions + " " + encoding, mean);
        });
        report.line("%s", line);
    }

    /** The Python peer on topics of its own with as many partitions, fed and read by the same client. */
    private void pythonPeer(String brokers, int partitions) throws Exception {
        Topics.ensure(KafkaClients.at(brokers), Map.of("images-py", partitions, "predictions-py", partitions));
        Process peer = new ProcessBuilder(PYTHON, "benchmarks/python_reference.py", "--bootstrap", brokers,
                "--topic", "images-py", "--output", "predictions-py", "--count", String.valueOf(PYTHON_IMAGES))
                .redirectErrorStream(true).redirectOutput(OUT.resolve("python-peer-" + partitions + ".log").toFile())
                .start();
        Thread.sleep(8_000); // import torch, build the network, join the group
        JsonNode burst = client(brokers, "raw", "burst", "--topic", "images-py", "--output", "predictions-py",
                "--dead-letters", "", "--count", String.valueOf(PYTHON_IMAGES));
        peer.waitFor(60, TimeUnit.SECONDS);
        peer.destroy();
        double python = burst.get("per_s").asDouble();
        report.line("%d partitions, raw: Python peer (confluent-kafka + PyTorch, same client): %d of %d in %.1f s ="
                + " **%.0f images/s**; Svertka's raw mean %.0f/s is **%.1f×**", partitions, burst.get("accounted").asInt(),
                PYTHON_IMAGES, burst.get("seconds").asDouble(), python, means.getOrDefault(partitions + " raw", 0.0),
                means.getOrDefault(partitions + " raw", 0.0) / python);
    }

    /** A client run and the CPU the broker and serve processes spent meanwhile, by thread kind. */
    private record Run(JsonNode result, String brokerThreads, String serveThreads, double brokerSeconds,
                       double serveSeconds, String requests) {

        interface Client {
            JsonNode run() throws IOException, InterruptedException;
        }

        static Run of(Process broker, ServeProcess serve, Client client) throws IOException, InterruptedException {
            Map<String, Double> countsBefore = KafkaCounts.of(serve);
            ThreadCpu brokerBefore = ThreadCpu.of(broker);
            ThreadCpu serveBefore = ThreadCpu.of(serve.process());
            double brokerCpu = cpuSeconds(broker);
            double serveCpu = cpuSeconds(serve.process());
            JsonNode result = client.run();
            int images = result.get("images").asInt();
            return new Run(result, ThreadCpu.of(broker).perImageSince(brokerBefore, images),
                    ThreadCpu.of(serve.process()).perImageSince(serveBefore, images), cpuSeconds(broker) - brokerCpu,
                    cpuSeconds(serve.process()) - serveCpu, KafkaCounts.perThousandSince(serve, countsBefore, images));
        }

        double perSecond() {
            return result.get("per_s").asDouble();
        }

        String cpuPerImage() {
            double images = result.get("images").asDouble() / 1e6;
            return String.format("serve %.0f, broker %.0f, client %.0f", serveSeconds / images, brokerSeconds / images,
                    result.get("client_cpu_s").asDouble() / images);
        }

        String threads() {
            return "serve: " + serveThreads + "; broker: " + brokerThreads + "; serve's Kafka clients a 1000 images: "
                    + requests;
        }

        private static double cpuSeconds(Process process) {
            return process.info().totalCpuDuration().orElseThrow().toNanos() / 1e9;
        }
    }

    private static Process broker(Path dataDir) throws IOException {
        Files.createDirectories(OUT);
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager"));
        command.addAll(jvmOptions("bench.brokerOptions"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StandaloneBroker.class.getName(),
                dataDir.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads the broker's output until it names its address; the rest goes to target/benchmark/broker.log. */
    private static String bootstrap(Process broker) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(StandaloneBroker.READY)) {
                Thread drain = new Thread(() -> {
                    try {
                        Files.copy(broker.getInputStream(), OUT.resolve("broker.log"),
                                StandardCopyOption.REPLACE_EXISTING);
                    } catch (IOException e) {
                        // the broker is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return line.substring(StandaloneBroker.READY.length()).strip();
            }
        }
        throw new IOException("the broker exited before it answered");
    }

    private ServeProcess serve(String brokers, int partitions) throws IOException {
        List<String> options = jvmOptions("bench.serveOptions");
        if (Boolean.getBoolean("bench.profile")) {
            options.add("-XX:StartFlightRecording=filename=" + OUT.resolve("serve-" + partitions + ".jfr")
                    .toAbsolutePath() + ",settings=profile");
        }
        return ServeProcess.start(Path.of("target", "quarkus-app", "quarkus-run.jar"),
                OUT.resolve("serve-" + partitions + ".log"), options, "serve", "--model", "digits", "--registry",
                work.resolve("registry").toString(), "--bootstrap-servers", brokers);
    }

    /** JVM options from a system property, space-separated. */
    private static List<String> jvmOptions(String property) {
        List<String> options = new ArrayList<>(Arrays.asList(System.getProperty(property, "").split(" ")));
        options.removeIf(String::isBlank);
        return options;
    }

    /** Runs user_client.py; its output is shown, its RESULT line returned. */
    private static JsonNode client(String brokers, String encoding, String mode, String... options)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, "benchmarks/user_client.py", "--bootstrap", brokers,
                "--encoding", encoding, "--count", String.valueOf(IMAGES)));
        command.addAll(Arrays.asList(options));
        command.add(mode);
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.waitFor()).as(output).isZero();
        System.out.print(output);
        String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
        return JSON.readTree(result.substring("RESULT ".length()));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
