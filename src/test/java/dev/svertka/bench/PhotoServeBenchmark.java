package dev.svertka.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.svertka.image.ImageDecoder;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.Topics;
import dev.svertka.registry.ImportedCard;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.runtime.OnnxSessions;
import dev.svertka.serve.DecodeWorkers;
import dev.svertka.serve.ModelHolder;
import dev.svertka.serve.OnnxClassifier;
import dev.svertka.serve.ServeConfig;
import dev.svertka.serve.TopicsConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The photo serving benchmark, not a test (its name keeps it out of {@code ./mvnw verify}):
 * <pre>./mvnw -B test -Dtest=PhotoServeBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * JPEG events of 320x240 to 1024x768 classified at 224x224 by MobileNetV2 and ResNet50 (torchvision's, random
 * weights, exported to ONNX and imported into a registry with the ImageNet recipe by benchmarks/photo_fixtures.py).
 * Per model, side by side in one JVM with the broker: ONNX Runtime alone on pre-decoded tensors (the ceiling),
 * decoding and preprocessing alone, the Kafka pipeline (the same Quarkus app as {@code serve}) on a burst, its
 * latency at a paced half of the burst's rate, and the Python reference (PIL, torchvision transforms, PyTorch,
 * confluent-kafka) on the same burst through the same broker.
 */
@QuarkusTest
@WithTestResource(EmbeddedKafkaResource.class)
class PhotoServeBenchmark {

    private static final List<String> MODELS = List.of(System.getProperty("bench.models", "mobilenet_v2,resnet50")
            .split(","));
    /** Every measurement runs about this long: bursts are sized from the ceiling measured first. */
    private static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    private static final int PYTHON_THREADS = Integer.getInteger("bench.pythonThreads", 2);

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ServeConfig config;

    @Inject
    DecodeWorkers decoders;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    private final BenchReport report = new BenchReport();

    @Test
    void run() throws Exception {
        Path fixtures = fixtures();
        List<byte[]> photos = photos(fixtures.resolve("photos"));
        ServeLoad.Events events = new ServeLoad.Events(photos, Map.of("content-type", "image/jpeg"));
        Topics.ensure(KafkaClients.at(brokers), Map.of(topics.images(), 2, topics.predictions(), 2,
                topics.deadLetters(), 1));
        ServeLoad load = new ServeLoad(brokers, topics.predictions(), report);
        ModelRegistry registry = new ModelRegistry(Files.createTempDirectory("svertka-photo-bench-"));
        report.machine();
        report.line("%d JPEGs, %d-%d KB (mean %d KB); pipeline: max batch %d, %d decode thread(s), %d intra-op"
                + " thread(s), %s", photos.size(),
                photos.stream().mapToInt(p -> p.length).min().orElseThrow() >> 10,
                photos.stream().mapToInt(p -> p.length).max().orElseThrow() >> 10,
                (int) photos.stream().mapToInt(p -> p.length).average().orElseThrow() >> 10, config.maxBatchSize(),
                decoders.threads(), config.intraOpThreads(), config.optimizationLevel());
        load.kafkaAlone("JPEG", events, 20 * photos.size());
        for (String name : MODELS) {
            ModelVersion version = registry.importModel(fixtures.resolve(name + ".onnx"),
                    ImportedCard.read(fixtures.resolve(name + ".card.json"), null));
            ImageDecoder decoder = new ImageDecoder(version.card().recipe(), ImageDecoder.Limits.DEFAULT);
            decodeAlone(name, decoder, photos);
            double ceiling = 0;
            for (int threads : new int[] {config.intraOpThreads(), 2}) {
                ceiling = ortAlone(name, version, decoder, photos, threads);
            }
            int burst = Math.max(64, (int) (ceiling * SECONDS));
            models.load(version);
            load.burst(name + " warm-up", topics.images(), events, 2 * config.maxBatchSize(), 0);
            ServeLoad.Result pipeline = load.burst(name + ", pipeline, burst", topics.images(), events, burst, 0);
            report.line("%s: pipeline / ONNX Runtime alone (2 threads) = %.0f %%", name,
                    100 * pipeline.perSecond() / ceiling);
            int half = Math.max(1, (int) (pipeline.perSecond() / 2));
            load.burst(name + ", pipeline, offered " + half + "/s", topics.images(), events, half * SECONDS, half);
            // a fifth of the burst: the reference is several times slower, and its rate is what is compared
            load.pythonReference(events, Math.max(64, burst / 5), "--model", name, "--threads", String.valueOf(PYTHON_THREADS),
                    "--batch", String.valueOf(Integer.getInteger("bench.pythonBatch", 16)));
        }
        report.machine();
        report.write(Path.of("target", "benchmark", "photo-results.md"));
    }

    /** Single-threaded: ImageIO's decode alone, then the whole preprocessing (decode, resize, crop, normalise). */
    private void decodeAlone(String name, ImageDecoder decoder, List<byte[]> photos) throws Exception {
        Timed imageIo = timed(i -> {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(photos.get(i % photos.size())));
            return image.getWidth();
        });
        Timed whole = timed(i -> decoder.decode(photos.get(i % photos.size()), "image/jpeg").length);
        report.line("%s: decode + preprocess alone, 1 thread: %.1f images/s (%.1f ms each, of which ImageIO's JPEG"
                + " decode %.1f ms)", name, whole.perSecond(), whole.msEach(), imageIo.msEach());
    }

    /** ONNX Runtime on tensors decoded beforehand, batch of the pipeline's size: the ceiling. */
    private double ortAlone(String name, ModelVersion version, ImageDecoder decoder, List<byte[]> photos, int threads)
            throws Exception {
        int batch = Integer.getInteger("bench.batch", Math.min(config.maxBatchSize(), 16));
        int pixels = version.card().input().pixels();
        float[] inputs = new float[batch * pixels];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(decoder.decode(photos.get(i % photos.size()), "image/jpeg"), 0, inputs, i * pixels,
                    pixels);
        }
        try (OnnxClassifier classifier = OnnxClassifier.open(version, new OnnxSessions.Options(threads,
                config.interOpThreads()))) {
            classifier.classify(inputs, batch);
            Timed runs = timed(i -> classifier.classify(inputs, batch).length);
            double perSecond = runs.perSecond() * batch;
            report.line("%s: ONNX Runtime alone, batch %d, %d intra-op thread(s): %.1f images/s", name, batch,
                    threads, perSecond);
            return perSecond;
        }
    }

    private interface Step {
        int run(int i) throws Exception;
    }

    private record Timed(int runs, double seconds) {
        double perSecond() {
            return runs / seconds;
        }

        double msEach() {
            return 1000 * seconds / runs;
        }
    }

    /** Runs {@code step} for about 5 s (at least 3 times) after one warm-up run. */
    private static Timed timed(Step step) throws Exception {
        step.run(0);
        long started = System.nanoTime();
        int runs = 0;
        while (runs < 3 || System.nanoTime() - started < 5e9) {
            step.run(runs++);
        }
        return new Timed(runs, (System.nanoTime() - started) / 1e9);
    }

    /** The fixtures, made once into target/ (a minute: two networks exported, the photos encoded). */
    private static Path fixtures() throws IOException, InterruptedException {
        Path out = Path.of("target", "benchmark", "photo-fixtures");
        if (!Files.exists(out.resolve("resnet50.card.json"))) {
            Process python = new ProcessBuilder(System.getProperty("bench.python", "/usr/bin/python3"),
                    "benchmarks/photo_fixtures.py", out.toString()).inheritIO().start();
            if (python.waitFor() != 0) {
                throw new IllegalStateException("benchmarks/photo_fixtures.py failed (needs Debian's python3-torch,"
                        + " python3-torchvision, python3-pil)");
            }
        }
        return out;
    }

    private static List<byte[]> photos(Path dir) throws IOException {
        List<byte[]> photos = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                photos.add(Files.readAllBytes(file));
            }
        }
        return photos;
    }
}
