package dev.svertka.serve;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.card.Preprocessing;
import dev.svertka.image.EncodedImage;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.TopicTruncation;
import dev.svertka.kafka.Topics;
import dev.svertka.registry.ImportedCard;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A model from elsewhere: a PyTorch photo classifier trained with {@code Resize(72)}, {@code CenterCrop(64)},
 * {@code ToTensor()}, {@code Normalize(ImageNet mean, std)}, imported with the card a user writes for it and
 * served on JPEG and PNG photos of many sizes, on Kafka and over HTTP: Svertka predicts what PyTorch predicts.
 */
@QuarkusTest
@WithTestResource(EmbeddedKafkaResource.class)
class ForeignPhotoModelTest {

    /** Probabilities may differ by the pixels' rounding (TorchvisionAgreementTest), not more. */
    private static final double PROBABILITY_TOLERANCE = 0.01;

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @AfterEach
    void leaveNothingForTheNextTestClass() throws Exception {
        TopicTruncation.truncate(brokers, List.of(topics.images(), topics.predictions(), topics.deadLetters()));
    }

    private List<ForeignPhotoModel.Photo> photos;

    @BeforeEach
    void importAndServe() throws Exception {
        photos = ForeignPhotoModel.photos();
        ModelRegistry registry = new ModelRegistry(Files.createTempDirectory("svertka-foreign-registry-"));
        ModelVersion version = registry.importModel(ForeignPhotoModel.model(),
                ImportedCard.read(ForeignPhotoModel.card(), null));
        assertThat(version.card().preprocessing().resize()).isEqualTo(Preprocessing.Resize.SHORTER_SIDE);
        assertThat(version.card().preprocessing().mean()).containsExactly(0.485, 0.456, 0.406);
        models.load(version);
    }

    @Test
    void photosOnKafkaGetThePredictionsPyTorchMakes() throws Exception {
        Topics.ensure(KafkaClients.at(brokers), Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        Map<String, ForeignPhotoModel.Photo> sent = new HashMap<>();
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topics.images())) {
            for (ForeignPhotoModel.Photo photo : photos) {
                String id = "photo-" + photo.file().getFileName();
                String type = photo.file().toString().endsWith(".png") ? "image/png" : "image/jpeg";
                producer.send(id, Files.readAllBytes(photo.file()), Map.of(EncodedImage.CONTENT_TYPE_HEADER, type));
                sent.put(id, photo);
            }
            producer.flush();
        }
        List<ConsumerRecord<String, byte[]>> outputs;
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers), List.of(topics.predictions()))) {
            // other test classes on this broker may have left records: only this test's images count
            outputs = collector.until(records -> records.stream().filter(r -> sent.containsKey(r.key())).count()
                    >= sent.size(), Duration.ofMinutes(2)).stream().filter(r -> sent.containsKey(r.key())).toList();
        }

        assertThat(outputs).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(sent.keySet());
        double worst = 0;
        for (ConsumerRecord<String, byte[]> record : outputs) {
            Prediction prediction = json.readValue(record.value(), Prediction.class);
            worst = Math.max(worst, assertAgrees(prediction, sent.get(record.key())));
        }
        System.out.printf("Svertka vs PyTorch on %d photos over Kafka: top-1 all equal, max |probability diff| %.5f%n",
                outputs.size(), worst);
    }

    @Test
    void photosPostedOverHttpGetThePredictionsPyTorchMakes() throws Exception {
        for (ForeignPhotoModel.Photo photo : photos.subList(0, 8)) {
            Prediction prediction = given().contentType(photo.file().toString().endsWith(".png") ? "image/png"
                            : "image/jpeg").body(Files.readAllBytes(photo.file()))
                    .when().post("/predict")
                    .then().statusCode(200).extract().as(Prediction.class);
            assertAgrees(prediction, photo);
        }
    }

    /** The same top-1 class, and each listed probability within the tolerance; returns the largest difference. */
    private static double assertAgrees(Prediction prediction, ForeignPhotoModel.Photo photo) {
        Path file = photo.file();
        assertThat(prediction.model()).isEqualTo("photo");
        assertThat(prediction.top().get(0).index()).as("top-1 for %s", file).isEqualTo(photo.predicted());
        double worst = 0;
        for (Prediction.Score score : prediction.top()) {
            float expected = photo.probabilities()[score.index()];
            assertThat((double) score.probability()).as("probability of %s for %s", score.label(), file)
                    .isCloseTo(expected, within(PROBABILITY_TOLERANCE));
            worst = Math.max(worst, Math.abs(score.probability() - expected));
        }
        return worst;
    }
}
