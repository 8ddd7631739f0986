package dev.svertka.serve;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
import dev.svertka.image.BadImageSamples.Sample;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The wire contract through a real broker: every bad-input kind lands in the dead-letter topic with
 * its reason, cause, source position and untouched bytes (one over Kafka's 1 MB default); odd but
 * convertible layouts are classified; CloudEvents binary-mode input is accepted and every prediction
 * carries CloudEvents headers and a correlation id.
 */
@QuarkusTest
@WithTestResource(RestartableKafkaResource.class)
class ServeContractTest {

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @Test
    void badInputIsDeadLetteredByKindAndPredictionsCarryCloudEvents() throws Exception {
        LabeledImages test = ServedModel.serve(models, topics, KafkaClients.at(brokers));
        byte[] png = ImageEncoder.png(test, 0);
        List<Sample> bad = BadInputs.refused(png, RestartableKafkaResource.MAX_PAYLOAD_BYTES);
        Map<String, byte[]> converted = BadInputs.converted();
        Map<String, String> cloudEvent = Map.of("ce_specversion", "1.0", "ce_id", "ce-42", "ce_type",
                "com.example.image", "ce_source", "/cameras/7", "ce_datacontenttype", "image/png");
        Map<String, String> raw = Map.of("content-type", ImageDecoder.RAW_PIXELS, "width", "28", "height", "28",
                "channels", "1", CloudEvents.CORRELATION_ID, "request-9");
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topics.images())) {
            bad.forEach(sample -> producer.send(sample.id(), sample.payload(), sample.headers()));
            converted.forEach((id, image) -> producer.send(id, image, Map.of())); // no content type: sniffed
            producer.send(null, png, cloudEvent); // binary mode, no key: the id is ce_id
            producer.send("ok-raw", test.image(1), raw);
            producer.flush();
        }
        int expected = bad.size() + converted.size() + 2;

        List<ConsumerRecord<String, byte[]>> outputs;
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers),
                List.of(topics.predictions(), topics.deadLetters()))) {
            collector.until(records -> mine(records).size() >= expected, Duration.ofMinutes(1));
            outputs = mine(collector.drain(Duration.ofSeconds(2)));
        }
        assertThat(outputs).hasSize(expected);

        Map<String, ConsumerRecord<String, byte[]>> letters = outputs.stream()
                .filter(r -> r.topic().equals(topics.deadLetters()))
                .collect(Collectors.toMap(ConsumerRecord::key, Function.identity()));
        assertThat(letters).containsOnlyKeys(bad.stream().map(Sample::id).toList());
        for (Sample sample : bad) {
            ConsumerRecord<String, byte[]> letter = letters.get(sample.id());
            assertThat(header(letter, ImageClassifierPipeline.REASON_HEADER)).as(sample.id())
                    .isEqualTo(sample.reason().name());
            assertThat(header(letter, ImageClassifierPipeline.CAUSE_HEADER)).as(sample.id()).isNotBlank();
            assertThat(header(letter, "dead-letter-topic")).isEqualTo(topics.images());
            assertThat(header(letter, "dead-letter-partition")).isIn("0", "1");
            assertThat(header(letter, "dead-letter-offset")).containsOnlyDigits();
            assertThat(header(letter, CloudEvents.CORRELATION_ID)).isEqualTo(sample.id());
            assertThat(letter.value()).as("original bytes of " + sample.id()).isEqualTo(sample.payload());
        }
        assertThat(letters.get("bad-too-large").value().length).isGreaterThan(1 << 20);

        Map<String, ConsumerRecord<String, byte[]>> predictions = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : outputs) {
            if (record.topic().equals(topics.predictions())) {
                predictions.put(json.readValue(record.value(), Prediction.class).id(), record);
            }
        }
        assertThat(predictions).containsOnlyKeys("ok-16-bit", "ok-rgba", "ok-palette", "ok-cmyk", "ok-raw",
                "ce-42");
        for (ConsumerRecord<String, byte[]> record : predictions.values()) {
            Prediction prediction = json.readValue(record.value(), Prediction.class);
            assertThat(record.key()).isEqualTo(prediction.id().equals("ce-42") ? null : prediction.id());
            assertThat(prediction.top()).hasSize(3);
            assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
            assertThat(header(record, "ce_type")).isEqualTo(CloudEvents.PREDICTION_TYPE);
            assertThat(header(record, "ce_source")).isEqualTo("/svertka/inference");
            assertThat(header(record, "ce_subject")).isEqualTo(prediction.id());
            assertThat(header(record, "ce_id")).startsWith("prediction:" + topics.images() + "-");
            assertThat(Instant.parse(header(record, "ce_time"))).isBefore(Instant.now().plusSeconds(1));
            assertThat(header(record, "content-type")).isEqualTo("application/json");
        }
        assertThat(header(predictions.get("ce-42"), CloudEvents.CORRELATION_ID)).isEqualTo("ce-42");
        assertThat(header(predictions.get("ok-raw"), CloudEvents.CORRELATION_ID)).isEqualTo("request-9");
        assertThat(header(predictions.get("ok-rgba"), CloudEvents.CORRELATION_ID)).isEqualTo("ok-rgba");
    }

    @Test
    void aBatchIsClassifiedInRunsOfAtMostTheRunInputEachImageGettingItsOwnPrediction() throws Exception {
        LabeledImages test = ServedModel.serve(models, topics, KafkaClients.at(brokers));
        int images = 30;
        Map<String, String> png = Map.of("content-type", "image/png");
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topics.images())) {
            for (int i = 0; i < images; i++) {
                producer.send("run-" + i, ImageEncoder.png(test, i), png);
                if (i % 4 == 1) { // refusals among them: the runs close up around them
                    producer.send("run-bad-" + i, new byte[] {1, 2, 3}, png);
                }
            }
            producer.flush();
        }
        Map<String, Prediction> predictions = new HashMap<>();
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers),
                List.of(topics.predictions()))) {
            collector.until(records -> records.stream().filter(r -> r.key() != null && r.key().startsWith("run-"))
                            .count() >= images,
                    Duration.ofMinutes(1));
            for (ConsumerRecord<String, byte[]> record : collector.drain(Duration.ofSeconds(1))) {
                if (record.key() != null && record.key().startsWith("run-")) {
                    predictions.put(record.key(), json.readValue(record.value(), Prediction.class));
                }
            }
        }
        assertThat(predictions).hasSize(images);
        for (int i = 0; i < images; i++) {
            // the same image alone over HTTP: a slot mixed up within a run would give another image's classes
            String alone = given().contentType("image/png").body(ImageEncoder.png(test, i)).when().post("/predict")
                    .then().statusCode(200).extract().path("top[0].label");
            assertThat(predictions.get("run-" + i).top().get(0).label()).as("run-" + i).isEqualTo(alone);
        }
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double largestRun = metrics.lines().filter(line -> line.startsWith("svertka_batch_size_max"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).max()
                .orElseThrow();
        assertThat(largestRun).isLessThanOrEqualTo(RestartableKafkaResource.IMAGES_PER_RUN);
    }

    /** This test's outputs; the other tests of this app use the same topics. */
    private static List<ConsumerRecord<String, byte[]>> mine(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> r.key() == null ? "ce-42".equals(header(r, "ce_subject"))
                : r.key().startsWith("bad-") || r.key().startsWith("ok-")).toList();
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
