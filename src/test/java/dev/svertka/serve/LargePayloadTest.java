package dev.svertka.serve;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.cli.SvertkaCommand;
import dev.svertka.image.ImageDecodingException.Reason;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.RecordCollector;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import picocli.CommandLine;

/**
 * Photos over Kafka's 1 MB default, with Svertka's default limits, on a broker that keeps Kafka's default
 * {@code message.max.bytes} (as managed clusters do), so only what Svertka sets lets them through: the topics'
 * {@code max.message.bytes} (Topics), the send command's {@code max.request.size} (ImageProducer) and the
 * pipeline producer's ({@code svertka.serve.producer.max-request-bytes}). A 2.8 MiB JPEG and a 3.2 MiB PNG are
 * classified, on Kafka and over HTTP; a 5.7 MiB photo, over {@code svertka.serve.max-payload-bytes} (4 MiB), is
 * dead-lettered whole with {@code PAYLOAD_TOO_LARGE}. (The consumer's fetch sizes are no limit: Kafka returns a
 * fetch's first batch whatever its size.)
 */
@QuarkusTest
@WithTestResource(value = EmbeddedKafkaResource.class,
        // Kafka's default: 1 MB and a record batch's overhead
        initArgs = @ResourceArg(name = EmbeddedKafkaResource.MESSAGE_MAX_BYTES, value = "1048588"))
class LargePayloadTest {

    private static final int PAYLOAD_LIMIT = 4 << 20;

    /** File name → bytes: what {@code send --images} keys them by. */
    private static Map<String, byte[]> photos;
    private static byte[] tooLarge;

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ServeConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    CommandLine.IFactory commands;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @BeforeAll
    static void takePhotos() throws Exception {
        photos = Map.of("camera-6mp.jpg", CameraPhotos.jpeg(3000, 2000), "scan.png", CameraPhotos.png(1280, 960));
        tooLarge = CameraPhotos.jpeg(4000, 3000);
        assertThat(photos.values()).allSatisfy(photo -> assertThat(photo.length).isStrictlyBetween(2 << 20, PAYLOAD_LIMIT));
        assertThat(tooLarge.length).isGreaterThan(PAYLOAD_LIMIT);
    }

    @Test
    void photosOfAFewMegabytesSentWithTheSendCommandAreClassifiedAndLargerOnesDeadLetteredWhole() throws Exception {
        assertThat(config.maxPayloadBytes()).as("the default limit").isEqualTo(PAYLOAD_LIMIT);
        ServedModel.serve(models, topics, KafkaClients.at(brokers)); // creates the topics with Topics.ensure
        Path folder = Files.createTempDirectory("svertka-large-photos-");
        for (var photo : photos.entrySet()) {
            Files.write(folder.resolve(photo.getKey()), photo.getValue());
        }
        Files.write(folder.resolve("camera-12mp.jpg"), tooLarge);

        int exit = new CommandLine(SvertkaCommand.class, commands)
                .execute("send", "--images", folder.toString(), "--topic", topics.images(), "--timeout", "20");
        assertThat(exit).as("send's exit code").isZero();

        Map<String, ConsumerRecord<String, byte[]>> outputs;
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers),
                List.of(topics.predictions(), topics.deadLetters()))) {
            outputs = collector.until(records -> records.size() >= photos.size() + 1, Duration.ofSeconds(30)).stream()
                    .collect(Collectors.toMap(ConsumerRecord::key, Function.identity()));
        }
        assertThat(outputs).containsOnlyKeys("camera-6mp.jpg", "scan.png", "camera-12mp.jpg");
        for (String name : photos.keySet()) {
            ConsumerRecord<String, byte[]> prediction = outputs.get(name);
            assertThat(prediction.topic()).as(name).isEqualTo(topics.predictions());
            assertThat(json.readValue(prediction.value(), Prediction.class).id()).isEqualTo(name);
        }
        ConsumerRecord<String, byte[]> letter = outputs.get("camera-12mp.jpg");
        assertThat(letter.topic()).isEqualTo(topics.deadLetters());
        assertThat(ServeContractTest.header(letter, ImageClassifierPipeline.REASON_HEADER)).isEqualTo(Reason.PAYLOAD_TOO_LARGE.name());
        assertThat(letter.value()).as("the photo, whole").isEqualTo(tooLarge);
    }

    @Test
    void photosOfAFewMegabytesArePostedOverHttpAndLargerOnesRefused() throws Exception {
        ServedModel.serve(models, topics, KafkaClients.at(brokers));
        for (var photo : photos.entrySet()) {
            Prediction prediction = given().contentType(photo.getKey().endsWith(".png") ? "image/png" : "image/jpeg")
                    .body(photo.getValue()).post("/predict?id=" + photo.getKey())
                    .then().statusCode(200).extract().as(Prediction.class);
            assertThat(prediction.id()).isEqualTo(photo.getKey());
        }
        PredictResource.Refusal refusal = given().contentType("image/jpeg").body(tooLarge).post("/predict")
                .then().statusCode(413).extract().as(PredictResource.Refusal.class);
        assertThat(refusal.reason()).isEqualTo(Reason.PAYLOAD_TOO_LARGE.name());
    }
}
