package dev.svertka.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

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

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    private final BenchReport report = new BenchReport();

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
        report.machine();
        ServeLoad load = new ServeLoad(brokers, topics.predictions(), report);
        ServeLoad.Events raw = events(images, ImageProducer.Encoding.RAW);
        ServeLoad.Events png = events(images, ImageProducer.Encoding.PNG);

        for (int threads : new int[] {1, 2}) {
            ortAlone(trained, images, threads);
        }
        models.load(trained.version());
        // warm-up: JIT, ORT memory pattern, consumer group join
        load.burst("warmup", topics.images(), raw, 5_000, 0);
        load.kafkaAlone("raw", raw, BURST);
        load.burst("raw 28x28, burst", topics.images(), raw, BURST, 0);
        load.burst("PNG 28x28, burst", topics.images(), png, BURST, 0);
        load.burst("raw 28x28, offered " + OFFERED_RATE + "/s", topics.images(), raw, OFFERED_RATE * OFFERED_SECONDS,
                OFFERED_RATE);
        load.burst("PNG 28x28, offered " + OFFERED_RATE + "/s", topics.images(), png, OFFERED_RATE * OFFERED_SECONDS,
                OFFERED_RATE);
        load.pythonReference(raw, BURST);
        report.machine();
        report.write(Path.of("target", "benchmark", "results.md"));
    }

    private static ServeLoad.Events events(LabeledImages images, ImageProducer.Encoding encoding) {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            payloads.add(encoding == ImageProducer.Encoding.PNG ? ImageEncoder.png(images, i) : images.image(i));
        }
        return new ServeLoad.Events(payloads, encoding == ImageProducer.Encoding.PNG
                ? Map.of("content-type", "image/png")
                : Map.of("content-type", ImageDecoder.RAW_PIXELS, "width", "28", "height", "28", "channels", "1"));
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
            report.line("ONNX Runtime alone, batch %d, %d intra-op thread(s): %.0f images/s", batch, threads,
                    runs * batch / seconds);
        }
    }
}
