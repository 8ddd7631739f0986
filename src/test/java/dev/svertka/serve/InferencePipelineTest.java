package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.train.JobSpec;
import dev.svertka.image.BadImageSamples;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.Topics;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.TrainingPipeline;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The whole slice through a real embedded broker: train on synthetic digits, export, serve, send
 * PNG and raw images plus bad ones, and check that every id comes out exactly once.
 */
@QuarkusTest
@WithTestResource(EmbeddedKafkaResource.class)
class InferencePipelineTest {

    private static final int IMAGES = 600;

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @Test
    void everyImageComesOutOnceAsAPredictionOrADeadLetter() throws Exception {
        Topics.ensure(KafkaClients.at(brokers), Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        Path registry = Files.createTempDirectory("svertka-test-registry-");
        TrainingPipeline.Result trained = new TrainingPipeline(System.out).run(JobSpec.builder()
                .data("synthetic:8000").preset(SeedCnn.NAME).model("digits").epochs(1).batchSize(64).seed(7)
                .runDir(Files.createTempDirectory("svertka-test-run-").toString()).build(), new ModelRegistry(registry));
        models.load(trained.version());

        LabeledImages test = trained.data().test();
        Map<String, Integer> labels = new HashMap<>();
        List<BadImageSamples.Sample> bad = BadImageSamples.all(ImageEncoder.png(test, 0), 3);
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topics.images())) {
            for (int i = 0; i < IMAGES; i++) {
                // alternate encodings: both paths must reach the model
                ImageProducer.Encoding encoding = i % 2 == 0 ? ImageProducer.Encoding.PNG : ImageProducer.Encoding.RAW;
                producer.send("img-" + i, test, i, encoding);
                labels.put("img-" + i, test.labels()[i]);
            }
            bad.forEach(sample -> producer.send(sample.id(), sample.payload(), sample.headers()));
            producer.flush();
        }

        List<ConsumerRecord<String, byte[]>> outputs;
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers),
                List.of(topics.predictions(), topics.deadLetters()))) {
            collector.until(records -> records.size() >= IMAGES + bad.size(), Duration.ofMinutes(2));
            outputs = collector.drain(Duration.ofSeconds(3));
        }

        List<ConsumerRecord<String, byte[]>> predictions = outputs.stream()
                .filter(r -> r.topic().equals(topics.predictions())).toList();
        List<ConsumerRecord<String, byte[]>> deadLetters = outputs.stream()
                .filter(r -> r.topic().equals(topics.deadLetters())).toList();

        // each good image exactly once, keyed by its id; each bad one exactly once in the DLQ
        assertThat(predictions).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrderElementsOf(labels.keySet());
        assertThat(deadLetters).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrderElementsOf(bad.stream().map(BadImageSamples.Sample::id).toList());

        int correct = 0;
        for (ConsumerRecord<String, byte[]> record : predictions) {
            Prediction prediction = json.readValue(record.value(), Prediction.class);
            assertThat(prediction.id()).isEqualTo(record.key());
            assertThat(prediction.model()).isEqualTo("digits");
            assertThat(prediction.version()).isEqualTo(1);
            assertThat(prediction.top()).hasSize(3);
            assertThat(prediction.top().get(0).probability()).isGreaterThanOrEqualTo(prediction.top().get(1).probability());
            assertThat(prediction.top().get(0).label()).isEqualTo(String.valueOf(prediction.top().get(0).index()));
            if (prediction.top().get(0).index() == labels.get(record.key())) {
                correct++;
            }
        }
        // chance is 10 %; a briefly trained seed-cnn is far above it
        assertThat((double) correct / IMAGES).isGreaterThan(0.5);

        Map<String, BadImageSamples.Sample> byId = bad.stream()
                .collect(Collectors.toMap(BadImageSamples.Sample::id, Function.identity()));
        for (ConsumerRecord<String, byte[]> letter : deadLetters) {
            BadImageSamples.Sample sample = byId.get(letter.key());
            assertThat(header(letter, ImageClassifierPipeline.REASON_HEADER)).as(letter.key())
                    .isEqualTo(sample.reason().name());
            assertThat(header(letter, "dead-letter-topic")).isEqualTo(topics.images());
            assertThat(header(letter, "dead-letter-offset")).isNotBlank();
            assertThat(header(letter, "dead-letter-reason")).isNotBlank();
            assertThat(letter.value()).as("original bytes, untouched").isEqualTo(sample.payload());
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
