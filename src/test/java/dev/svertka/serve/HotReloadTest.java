package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.Topics;
import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import dev.svertka.onnx.OnnxExporter;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A pod following the models topic under load, on a real embedded broker (its own, through a profile of its
 * own): promote a new version and roll it back while thousands of images stream through, and refuse versions
 * that cannot be served.
 */
@QuarkusTest
@TestProfile(HotReloadTest.OwnBroker.class)
@WithTestResource(EmbeddedKafkaResource.class)
class HotReloadTest {

    /**
     * A separate application (and broker), so that other pipeline tests see none of these records, with a
     * registry of its own: the one the model watcher resolves announced versions in.
     */
    public static class OwnBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                // port 0: a free port, whatever else runs on the machine
                return Map.of("svertka.serve.max-batch-size", "32", "quarkus.http.test-port", "0",
                        "svertka.serve.registry", Files.createTempDirectory("svertka-reload-registry-").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final InputShape DIGITS = SyntheticDigits.SHAPE;
    private static final int IMAGES = 6000;
    private static final String STREAMED = "reload-";
    private static LabeledImages images;

    @Inject
    ModelHolder models;

    @Inject
    ModelRegistry registry;

    @Inject
    TopicsConfig topics;

    @Inject
    ModelsConfig modelsConfig;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @BeforeAll
    static void generateImages() {
        images = SyntheticDigits.generate(500, 3);
    }

    @Test
    void promotionAndRollbackUnderLoadLoseNothingAndSwitchVersions() throws Exception {
        Topics.ensure(KafkaClients.at(brokers), Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        publish(registry, "live", DIGITS, 1);
        publish(registry, "live", DIGITS, 2);
        models.load(registry.promote("live", 1));

        // at most 500 images ahead of the outputs, so that both switches happen while images flow
        PacedStream stream = new PacedStream(brokers, topics.images(),
                List.of(topics.predictions(), topics.deadLetters()), STREAMED, 500);
        CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> stream.send(images, IMAGES));
        List<ConsumerRecord<String, byte[]>> outputs;
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers),
                List.of(topics.predictions(), topics.deadLetters()));
                ModelAnnouncer announcer = new ModelAnnouncer(KafkaClients.at(brokers), modelsConfig.topic())) {
            collector.until(records -> streamed(records).size() >= 1500, Duration.ofMinutes(2));
            announcer.announce(registry.promote("live", 2));
            collector.until(records -> countVersion(streamed(records), 2) >= 500, Duration.ofMinutes(2));
            announcer.announce(registry.rollback("live"));
            collector.until(records -> streamed(records).size() >= IMAGES, Duration.ofMinutes(3));
            outputs = streamed(collector.drain(Duration.ofSeconds(2)));
        }
        streaming.get(1, TimeUnit.MINUTES);

        List<ConsumerRecord<String, byte[]>> predictions = outputs.stream()
                .filter(r -> r.topic().equals(topics.predictions())).toList();
        assertThat(outputs).as("no dead letters").hasSameSizeAs(predictions);
        assertThat(predictions).extracting(ConsumerRecord::key).doesNotHaveDuplicates().hasSize(IMAGES);
        // per partition the outputs go 1 -> 2 -> 1 with no flapping: each swap is one atomic step
        Map<Integer, List<ConsumerRecord<String, byte[]>>> byPartition = predictions.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::partition));
        List<Long> switchGaps = new ArrayList<>();
        List<Long> allGaps = new ArrayList<>();
        for (List<ConsumerRecord<String, byte[]>> partition : byPartition.values()) {
            List<Integer> runs = new ArrayList<>();
            for (int i = 0; i < partition.size(); i++) {
                int version = version(partition.get(i));
                if (runs.isEmpty() || runs.get(runs.size() - 1) != version) {
                    runs.add(version);
                    if (i > 0) {
                        switchGaps.add(partition.get(i).timestamp() - partition.get(i - 1).timestamp());
                    }
                }
                if (i > 0) {
                    allGaps.add(partition.get(i).timestamp() - partition.get(i - 1).timestamp());
                }
            }
            assertThat(List.of(List.of(1, 2, 1), List.of(1, 2), List.of(2, 1), List.of(1))).contains(runs);
        }
        assertThat(predictions.stream().map(HotReloadTest::version).distinct()).containsExactlyInAnyOrder(1, 2);
        assertThat(version(predictions.get(predictions.size() - 1))).as("rolled back").isEqualTo(1);
        assertThat(models.currentVersion()).get().extracting(v -> v.card().version()).isEqualTo(1);

        allGaps.sort(null);
        System.out.printf("hot reload under load: %d predictions, output gap at each version switch %s ms; "
                + "between consecutive predictions: median %d ms, p99 %d ms, max %d ms%n", predictions.size(),
                switchGaps, allGaps.get(allGaps.size() / 2), allGaps.get(allGaps.size() * 99 / 100),
                allGaps.get(allGaps.size() - 1));
    }

    @Test
    void versionsThatCannotBeServedAreRejectedAndTheOldOneKeepsServing() throws Exception {
        Topics.ensure(KafkaClients.at(brokers), Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        ModelVersion good = publish(registry, "guarded", DIGITS, 1);
        ModelVersion damaged = publish(registry, "guarded", DIGITS, 2);
        // a model for 14x14 images under a card that promises 28x28: ONNX Runtime refuses it at warm-up
        ModelVersion misfit = publish(registry, "guarded", new InputShape(1, 14, 14), 3, DIGITS);
        models.load(registry.promote("guarded", 1));
        double rejectedBefore = rejections();

        try (ModelAnnouncer announcer = new ModelAnnouncer(KafkaClients.at(brokers), modelsConfig.topic())) {
            Files.write(damaged.onnxFile(), "tampered".getBytes(StandardCharsets.UTF_8));
            announcer.announce(damaged);
            awaitRejections(rejectedBefore + 1);
            announcer.announce(registry.promote("guarded", misfit.card().version()));
            awaitRejections(rejectedBefore + 2);
        }

        assertThat(models.currentVersion()).get().isEqualTo(good);
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topics.images())) {
            for (int i = 0; i < 50; i++) {
                producer.send("guarded-" + i, images, i, ImageProducer.Encoding.RAW);
            }
            producer.flush();
        }
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers), List.of(topics.predictions(), topics.deadLetters()))) {
            List<ConsumerRecord<String, byte[]>> outputs = collector.until(
                    records -> records.stream().filter(r -> r.key().startsWith("guarded-")).count() >= 50,
                    Duration.ofMinutes(1));
            List<ConsumerRecord<String, byte[]>> ours = outputs.stream()
                    .filter(r -> r.key().startsWith("guarded-")).toList();
            assertThat(ours).hasSize(50).allSatisfy(r -> {
                assertThat(r.topic()).isEqualTo(topics.predictions());
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains("\"model\":\"guarded\",\"version\":1,");
            });
        }
    }

    private double rejections() {
        return meters.counter("svertka.model.loads", "outcome", "rejected").count();
    }

    private void awaitRejections(double expected) {
        await().atMost(Duration.ofSeconds(60)).until(this::rejections, rejected -> rejected >= expected);
        assertThat(rejections()).isEqualTo(expected);
    }

    /** This test's records: the topics also hold the other test's. */
    private static List<ConsumerRecord<String, byte[]>> streamed(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> r.key().startsWith(STREAMED)).toList();
    }

    private static int countVersion(List<ConsumerRecord<String, byte[]>> records, int version) {
        String marker = "\"version\":" + version + ",";
        int count = 0;
        for (ConsumerRecord<String, byte[]> record : records) {
            if (new String(record.value(), StandardCharsets.UTF_8).contains(marker)) {
                count++;
            }
        }
        return count;
    }

    private static int version(ConsumerRecord<String, byte[]> record) {
        String json = new String(record.value(), StandardCharsets.UTF_8);
        return Integer.parseInt(json.replaceAll("(?s).*\"version\":(\\d+),.*", "$1"));
    }

    private static ModelVersion publish(ModelRegistry registry, String name, InputShape shape, long seed)
            throws Exception {
        return publish(registry, name, shape, seed, shape);
    }

    /** A small random CNN for {@code shape}, stored under a card that claims {@code cardShape}. */
    private static ModelVersion publish(ModelRegistry registry, String name, InputShape shape, long seed,
            InputShape cardShape) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).list()
                .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(4).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(shape.height(), shape.width(), shape.channels())).build());
        net.init();
        ModelCard card = new ModelCard(name, 0, images.classNames(), cardShape, ModelCard.LAYOUT_NCHW,
                InputShape.PIXEL_SCALE, null, "test-cnn", "random weights", Map.of(), Map.of(), "2026-11-30T00:00:00Z", null);
        return registry.publish(card, numbered -> OnnxExporter.export(net, shape, OnnxExporter.metadata(numbered)),
                null);
    }
}
