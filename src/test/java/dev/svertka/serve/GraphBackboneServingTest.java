package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.card.InputShape;
import dev.svertka.card.Preprocessing;
import dev.svertka.data.SyntheticPhotos;
import dev.svertka.image.EncodedImage;
import dev.svertka.image.ImageDecoder;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.TopicTruncation;
import dev.svertka.kafka.Topics;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.JobSpec;
import dev.svertka.train.TrainingPipeline;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A Keras functional backbone (the MobileNetV2-like fixture: depthwise convolutions, ReLU6, residual adds)
 * fine-tuned on photos of every size with its stem frozen (cached features), exported with parity, registered,
 * and served on Kafka JPEG and PNG events: each photo gets the class the trained DL4J graph gives the same photo
 * prepared by the card's recipe.
 */
@QuarkusTest
@WithTestResource(EmbeddedKafkaResource.class)
class GraphBackboneServingTest {

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

    @Test
    void aFineTunedKerasGraphIsServedOnPhotoEventsAsItComputes() throws Exception {
        Path photos = Files.createTempDirectory("svertka-graph-photos-");
        SyntheticPhotos.write(photos, new SyntheticPhotos.Plan(16, 5, 3, 11), SyntheticPhotos.Progress.NONE);
        Preprocessing recipe = new Preprocessing(null, List.of(0.5), List.of(0.5), Preprocessing.Resize.SHORTER_SIDE,
                36, Preprocessing.Crop.CENTER);
        TrainingPipeline.Result trained = new TrainingPipeline(System.out).run(JobSpec.builder()
                .data(photos.toString()).imageSize("3x32x32").preprocessing(recipe).model("photo-graph")
                .base("src/test/resources/keras/mobilenet_v2_like.h5").freezeUpTo("Conv1_relu").epochs(3)
                .batchSize(12).seed(3).optimizer("adam:0.005")
                .runDir(Files.createTempDirectory("svertka-graph-run-").toString()).build(),
                new ModelRegistry(Files.createTempDirectory("svertka-graph-registry-")));
        assertThat(trained.version().card().preprocessing()).isEqualTo(recipe);
        assertThat(trained.parity().argmaxMismatches()).isZero();
        models.load(trained.version());

        Topics.ensure(KafkaClients.at(brokers), Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        ComputationGraph network = trained.network();
        ImageDecoder decoder = new ImageDecoder(trained.version().card().recipe(), ImageDecoder.Limits.DEFAULT);
        InputShape shape = trained.version().card().input();
        Map<String, Integer> expected = new HashMap<>();
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topics.images());
             Stream<Path> files = Files.walk(photos.resolve("test"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                String type = file.toString().endsWith(".png") ? "image/png" : "image/jpeg";
                producer.send(file.getFileName().toString(), bytes, Map.of(EncodedImage.CONTENT_TYPE_HEADER, type));
                float[] input = decoder.decode(bytes, type);
                expected.put(file.getFileName().toString(), network.outputSingle(Nd4j.create(input,
                        new long[] {1, shape.channels(), shape.height(), shape.width()}, 'c')).argMax(1).getInt(0));
            }
            producer.flush();
        }
        List<ConsumerRecord<String, byte[]>> outputs;
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers), List.of(topics.predictions()))) {
            // other test classes on this broker may have left records: only this test's images count
            outputs = collector.until(records -> records.stream().filter(r -> expected.containsKey(r.key())).count()
                    >= expected.size(), Duration.ofMinutes(2)).stream().filter(r -> expected.containsKey(r.key())).toList();
        }

        assertThat(expected).hasSize(15);
        assertThat(outputs).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (ConsumerRecord<String, byte[]> record : outputs) {
            Prediction prediction = json.readValue(record.value(), Prediction.class);
            assertThat(prediction.model()).isEqualTo("photo-graph");
            assertThat(prediction.top().get(0).index()).as(record.key()).isEqualTo(expected.get(record.key()));
        }
    }
}
