package dev.svertka.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.image.BadImageSamples;
import dev.svertka.data.Datasets;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.LabeledImages;
import dev.svertka.jobs.JobService;
import dev.svertka.jobs.TrainerConfig;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.Topics;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.serve.ModelHolder;
import dev.svertka.serve.PredictionTally;
import dev.svertka.serve.TopicsConfig;
import dev.svertka.train.JobSpec;
import dev.svertka.train.TrainingPipeline;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@NeedsTrainingStack
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole pipeline in one JVM, no external service: embedded Kafka, train seed-cnn, export to "
                + "ONNX, serve, send test images and a few bad ones, and account for every one. The web console is"
                + " served meanwhile (its address and token are printed; port 8080, or a free one if taken).")
public class DemoCommand implements Callable<Integer> {

    @Option(names = "--data", description = "Dataset (default: Fashion-MNIST from Debian's dataset-fashion-mnist if installed, else synthetic).")
    String data;

    @Option(names = "--images", defaultValue = "3000", description = "Test images to send (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--epochs", defaultValue = "1", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--limit", defaultValue = "20000", description = "Training images used, 0 for all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--batch-size", defaultValue = "128", description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    // read before Quarkus starts (LaunchSettings: the registry bean the console shows); declared here for --help
    @Option(names = "--registry", description = "Model registry directory (default: a new temporary directory).")
    Path registryOption;

    @Option(names = "--stay", description = "Keep the web console up after the run, until Ctrl+C.")
    boolean stay;

    @Option(names = "--timeout", defaultValue = "PT3M", description = "Longest wait for all results, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ObjectMapper json;

    @Inject
    KafkaClients kafka;

    @Inject
    ModelRegistry registry;

    @Inject
    TrainerConfig trainer;

    @Inject
    JobService jobs;

    @Override
    public Integer call() throws Exception {
        long demoStarted = System.nanoTime();
        // read now: with a free port chosen at start-up, Quarkus sets the one it got
        String console = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class)
                + "/";
        System.out.printf("Web console: %s (token %s)%n", console, trainer.token().orElse("?"));
        Topics.ensure(kafka, Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        String dataSpec = data != null ? data : Datasets.defaultSpec();
        System.out.println(dataSpec.equals(Datasets.SYNTHETIC)
                ? "Fashion-MNIST not found at " + Datasets.DEBIAN_FASHION_MNIST + " (apt-get install dataset-fashion-mnist): using synthetic digits"
                : "Using dataset " + dataSpec);
        JobSpec job = JobSpec.builder().data(dataSpec).preset(SeedCnn.NAME).model("demo").epochs(epochs)
                .batchSize(batchSize).seed(seed).limit(limit)
                .runDir(Files.createTempDirectory("svertka-demo-run-").toString()).build();
        // shown in the console's jobs as it trains; the demo needs its result (the test images) itself
        JobService.Shown shown = jobs.show(job);
        TrainingPipeline.Result trained;
        try {
            trained = new TrainingPipeline(System.out, shown).run(job, registry);
        } catch (Exception | Error e) {
            shown.failed(e);
            throw e;
        }
        shown.succeeded(trained.version().card().reference());
        models.load(trained.version());

        LabeledImages test = trained.data().test();
        int count = Math.min(images, test.size());
        Map<String, Integer> expected = new HashMap<>();
        List<BadImageSamples.Sample> bad = BadImageSamples.all(ImageEncoder.png(test, 0), seed);
        System.out.printf("Sending %d test images (PNG) and %d bad events to '%s'%n", count, bad.size(), topics.images());
        long sendStarted = System.nanoTime();
        try (ImageProducer producer = new ImageProducer(kafka, topics.images())) {
            for (int i = 0; i < count; i++) {
                producer.send("test-" + i, test, i, ImageProducer.Encoding.PNG);
                expected.put("test-" + i, test.labels()[i]);
            }
            for (BadImageSamples.Sample sample : bad) {
                producer.send(sample.id(), sample.payload(), sample.headers());
                expected.put(sample.id(), -1);
            }
            producer.flush();
        }
        List<ConsumerRecord<String, byte[]>> outputs;
        double seconds;
        try (RecordCollector collector = new RecordCollector(kafka,
                List.of(topics.predictions(), topics.deadLetters()))) {
            collector.until(records -> records.size() >= expected.size(), timeout);
            seconds = (System.nanoTime() - sendStarted) / 1e9;
            outputs = collector.drain(Duration.ofSeconds(2)); // anything more would be a duplicate
        }
        PredictionTally tally = PredictionTally.of(outputs, topics.predictions(), expected, json);
        report(tally, count, seconds, (System.nanoTime() - demoStarted) / 1e9, registry.root());
        if (stay) {
            System.out.printf("%nThe web console stays up at %s (token %s). Stop with Ctrl+C.%n", console,
                    trainer.token().orElse("?"));
            Quarkus.waitForExit();
        }
        return tally.exactlyOnce() ? 0 : 1;
    }

    private static void report(PredictionTally tally, int count, double seconds, double total, Path registryDir) {
        System.out.println();
        System.out.println("Demo results");
        System.out.printf("  sent:           %d (%d test images + %d bad)%n", tally.expected(), count,
                tally.expected() - count);
        System.out.printf("  predicted:      %d%n", tally.predicted());
        System.out.printf("  dead-lettered:  %d %s%n", tally.deadLettered(), tally.reasons());
        System.out.printf("  missing:        %d, duplicates: %d, unexpected: %d%n", tally.missing(), tally.duplicates(),
                tally.unexpected());
        System.out.printf("  accuracy:       %.4f on %d labelled predictions%n", tally.accuracy(), tally.labelled());
        System.out.printf("  throughput:     %.0f images/s end to end (send to last result, %.1f s)%n",
                tally.expected() / seconds, seconds);
        System.out.printf("  demo time:      %.1f s; model stored in %s%n", total, registryDir);
        System.out.println(tally.exactlyOnce() ? "OK: every image got exactly one prediction or dead letter"
                : "FAILED: some images got no result or more than one");
    }
}
