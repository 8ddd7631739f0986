package dev.svertka.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.train.JobSpec;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.Topics;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.runtime.OnnxSessions;
import dev.svertka.serve.ModelHolder;
import dev.svertka.serve.OnnxClassifier;
import dev.svertka.serve.TopicsConfig;
import dev.svertka.train.TrainingPipeline;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The serving benchmark, not a test: its name keeps it out of {@code ./mvnw verify}. Run it with
 * <pre>./mvnw -B test -Dtest=ServeBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * One JVM holds the embedded broker, the inference pipeline (the same Quarkus app as {@code serve})
 * and the load generator, as on a developer machine. Results go to stdout and
 * {@code target/benchmark/results.md}; BENCHMARKS.md records them.
 */
@QuarkusTest
@WithTestResource(EmbeddedKafkaResource.class)
class ServeBenchmark {

    private static final int BURST = Integer.getInteger("bench.images", 100_000);
    private static final int OFFERED_RATE = Integer.getInteger("bench.rate", 10_000);
    private static final int OFFERED_SECONDS = Integer.getInteger("bench.seconds", 10);

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    private final List<String> lines = new ArrayList<>();

    @Test
    void run() throws Exception {
        Topics.ensure(KafkaClients.at(brokers), Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        TrainingPipeline.Result trained = new TrainingPipeline(System.out).run(JobSpec.builder()
                .data("synthetic:1200").preset(SeedCnn.NAME).model("bench").epochs(1).batchSize(64).seed(1)
                .runDir(Files.createTempDirectory("svertka-bench-run-").toString()).build(),
                new ModelRegistry(Files.createTempDirectory("svertka-bench-registry-")));
        LabeledImages images = trained.data().test();
        if (images.shape().channels() != 1) {
            throw new IllegalStateException("the raw events below are grey 28x28 (CHW equals HWC)");
        }
        report("machine: %d cores, load average before: %s", Runtime.getRuntime().availableProcessors(), load());

        for (int threads : new int[] {1, 2}) {
            ortAlone(trained, images, threads);
        }
        models.load(trained.version());
        // warm-up: JIT, ORT memory pattern, consumer group join
        burst("warmup", images, 5_000, ImageProducer.Encoding.RAW, 0);
        kafkaAlone(images, ImageProducer.Encoding.RAW);
        burst("raw 28x28, burst", images, BURST, ImageProducer.Encoding.RAW, 0);
        burst("PNG 28x28, burst", images, BURST, ImageProducer.Encoding.PNG, 0);
        burst("raw 28x28, offered " + OFFERED_RATE + "/s", images, OFFERED_RATE * OFFERED_SECONDS,
                ImageProducer.Encoding.RAW, OFFERED_RATE);
        burst("PNG 28x28, offered " + OFFERED_RATE + "/s", images, OFFERED_RATE * OFFERED_SECONDS,
                ImageProducer.Encoding.PNG, OFFERED_RATE);
        pythonReference(images);
        report("load average after: %s", load());

        Path out = Path.of("target", "benchmark", "results.md");
        Files.createDirectories(out.getParent());
        Files.write(out, lines);
        System.out.println("Results in " + out.toAbsolutePath());
    }

    /** ONNX Runtime alone, batch 256, seed-cnn: the ceiling the pipeline's overhead is measured against. */
    private void ortAlone(TrainingPipeline.Result trained, LabeledImages images, int threads) throws Exception {
        int batch = 256;
        int pixels = images.shape().pixels();
        float[] inputs = new float[batch * pixels];
        for (int i = 0; i < batch; i++) { // the test split may hold fewer than a batch: repeat it
            int from = i % images.size();
            System.arraycopy(images.inputs(from, from + 1), 0, inputs, i * pixels, pixels);
        }
        try (OnnxClassifier classifier = OnnxClassifier.open(trained.version(),
                new OnnxSessions.Options(threads, 1))) {
            for (int i = 0; i < 20; i++) {
                classifier.classify(inputs, batch);
            }
            long started = System.nanoTime();
            int runs = 0;
            while (System.nanoTime() - started < 5e9) {
                classifier.classify(inputs, batch);
                runs++;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            report("ONNX Runtime alone, batch %d, %d intra-op thread(s): %.0f images/s", batch, threads,
                    runs * batch / seconds);
        }
    }

    /**
     * Sends {@code count} images (as fast as possible when {@code rate} is 0, else paced) and waits for
     * every prediction: throughput is count over first send to last prediction; latency is each
     * prediction's latencyMs (input record timestamp to prediction).
     */
    private void burst(String name, LabeledImages images, int count, ImageProducer.Encoding encoding, int rate)
            throws IOException {
        String prefix = UUID.randomUUID().toString().substring(0, 8) + "-";
        try (KafkaConsumer<String, byte[]> consumer = latestConsumer()) {
            long started = System.nanoTime();
            send(topics.images(), prefix, images, count, encoding, rate);
            double[] latencies = new double[count];
            int seen = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (seen < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() != null && record.key().startsWith(prefix) && seen < count) {
                        latencies[seen++] = latencyMs(record.value());
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Arrays.sort(latencies, 0, seen);
            report("%s: %d/%d predictions in %.1f s = %.0f images/s; latency p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                    name, seen, count, seconds, seen / seconds, percentile(latencies, seen, 0.50),
                    percentile(latencies, seen, 0.99), seen == 0 ? Double.NaN : latencies[seen - 1]);
        }
    }

    /**
     * A prediction's {@code latencyMs}, read by streaming past the rest: binding every prediction with its
     * probabilities would take CPU the pipeline under test needs (they share the machine).
     */
    private double latencyMs(byte[] prediction) throws IOException {
        try (JsonParser parser = json.getFactory().createParser(prediction)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME && parser.currentName().equals("latencyMs")) {
                    parser.nextToken();
                    return parser.getDoubleValue();
                }
            }
        }
        throw new IOException("a prediction without latencyMs: " + new String(prediction, StandardCharsets.UTF_8));
    }

    /**
     * The broker and the load generator without the pipeline: the raw burst sent to a topic nobody
     * processes, then read back by one consumer. The pipeline moves each image through Kafka twice (the
     * image in, its prediction out, each produced and consumed), so this is a ceiling on its throughput.
     */
    private void kafkaAlone(LabeledImages images, ImageProducer.Encoding encoding) throws Exception {
        String topic = "bench-kafka-alone";
        Topics.ensure(KafkaClients.at(brokers), Map.of(topic, 2));
        long started = System.nanoTime();
        send(topic, "alone-", images, BURST, encoding, 0);
        double sent = (System.nanoTime() - started) / 1e9;
        int read = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (read < BURST && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(100)).count();
            }
        }
        double total = (System.nanoTime() - started) / 1e9;
        report("Kafka alone (load generator + broker + one consumer, no pipeline), %s: %d sent in %.1f s = %.0f/s;"
                + " sent and read back in %.1f s = %.0f/s", encoding, BURST, sent, BURST / sent, total, read / total);
    }

    /** Sends {@code count} events, encoded before the clock starts: PNG encoding is not the pipeline's cost. */
    private void send(String topic, String prefix, LabeledImages images, int count, ImageProducer.Encoding encoding,
                      int rate) {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            payloads.add(encoding == ImageProducer.Encoding.PNG ? ImageEncoder.png(images, i) : images.image(i));
        }
        Map<String, String> headers = encoding == ImageProducer.Encoding.PNG ? Map.of("content-type", "image/png")
                : Map.of("content-type", ImageDecoder.RAW_PIXELS, "width", "28", "height", "28", "channels", "1");
        long started = System.nanoTime();
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topic)) {
            for (int i = 0; i < count; i++) {
                producer.send(prefix + i, payloads.get(i % payloads.size()), headers);
                if (rate > 0 && i % (rate / 100) == rate / 100 - 1) {
                    pace(started, i + 1, rate);
                }
            }
            producer.flush();
        }
    }

    /**
     * The Python reference (benchmarks/python_reference.py) on its own topics, same burst of raw
     * events, when Debian's python3-torch and python3-confluent-kafka are installed; skipped otherwise.
     */
    private void pythonReference(LabeledImages images) throws Exception {
        // Debian's interpreter, where apt installs the packages (a pyenv python3 may come first on PATH)
        String interpreter = System.getProperty("bench.python", "/usr/bin/python3");
        Process probe = new ProcessBuilder(interpreter, "-c", "import torch, confluent_kafka, PIL, numpy")
                .redirectErrorStream(true).start();
        if (probe.waitFor() != 0) {
            report("python reference: not run (apt-get install python3-confluent-kafka python3-torch python3-pil)");
            return;
        }
        Topics.ensure(KafkaClients.at(brokers), Map.of("images-py", 2, "predictions-py", 2));
        Process python = new ProcessBuilder(interpreter, "benchmarks/python_reference.py", "--bootstrap", brokers,
                "--topic", "images-py", "--output", "predictions-py", "--count", String.valueOf(BURST))
                .redirectErrorStream(true).start();
        Thread.sleep(5_000); // import torch, join the group
        send("images-py", "py-", images, BURST, ImageProducer.Encoding.RAW, 0);
        String output = new String(python.getInputStream().readAllBytes()).strip();
        python.waitFor();
        report("%s", output.substring(output.lastIndexOf('\n') + 1));
    }

    private KafkaConsumer<String, byte[]> latestConsumer() {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.GROUP_ID_CONFIG, "svertka-bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics.predictions()));
        // join and take the end offsets before anything is sent
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
        consumer.seekToEnd(consumer.assignment());
        consumer.assignment().forEach(consumer::position);
        return consumer;
    }

    private static void pace(long started, int sent, int rate) {
        long due = started + (long) (sent * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static double percentile(double[] sorted, int n, double p) {
        return n == 0 ? Double.NaN : sorted[Math.min(n - 1, (int) Math.ceil(p * n) - 1)];
    }

    private static String load() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }

    private void report(String format, Object... args) {
        String line = String.format(format, args);
        lines.add("- " + line);
        System.out.println("BENCH " + line);
    }
}
