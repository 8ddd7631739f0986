package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The broker goes down in the middle of a 10,000-image stream and comes back on the same port and
 * data: every image still ends as a prediction or a dead letter. Duplicates are allowed only as
 * at-least-once redelivery of the same input record, which the prediction's {@code ce_id} (derived
 * from the input's partition and offset) shows; they are counted and reported.
 */
@QuarkusTest
@WithTestResource(RestartableKafkaResource.class)
class BrokerRestartTest {

    private static final int IMAGES = 10_000;
    private static final String PREFIX = "restart-";

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @Test
    void everyImageComesOutDespiteABrokerRestart() throws Exception {
        Topics.ensure(brokers, Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        LabeledImages test = ServedModel.load(models);
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < IMAGES; i++) {
            expected.put(PREFIX + i, -1);
        }
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> send(test));
        // down while images are still being sent and classified
        Thread.sleep(1_500);
        RestartableKafkaResource.restart(1_000);
        sending.get();

        List<ConsumerRecord<String, byte[]>> outputs;
        try (RecordCollector collector = new RecordCollector(brokers,
                List.of(topics.predictions(), topics.deadLetters()))) {
            collector.until(records -> distinctMine(records) >= IMAGES, Duration.ofSeconds(90));
            outputs = collector.drain(Duration.ofSeconds(3)).stream()
                    .filter(r -> r.key() != null && r.key().startsWith(PREFIX)).toList();
        }
        PredictionTally tally = PredictionTally.of(outputs, topics.predictions(), expected, json);
        System.out.printf("Broker restart: %d images, %d predicted, %d dead-lettered %s, %d missing,"
                        + " %d duplicates (redelivered)%n", IMAGES, tally.predicted(), tally.deadLettered(),
                tally.reasons(), tally.missing(), tally.duplicates());

        assertThat(tally.missing()).isZero();
        assertThat(tally.unexpected()).isZero();
        assertThat(tally.predicted()).isEqualTo(IMAGES);
        // a duplicate is the same input record classified again, never a second distinct input
        Map<String, String> eventIds = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : outputs) {
            String ceId = ServeContractTest.header(record, CloudEvents.ID);
            assertThat(eventIds.putIfAbsent(record.key(), ceId)).as(record.key()).isIn(null, ceId);
        }
    }

    private void send(LabeledImages test) {
        try (ImageProducer producer = new ImageProducer(brokers, topics.images())) {
            for (int i = 0; i < IMAGES; i++) {
                producer.send(PREFIX + i, test, i % test.size(), ImageProducer.Encoding.RAW);
                if (i % 1_000 == 999) {
                    sleep(400); // a stream over a few seconds, not one burst
                }
            }
            producer.flush();
        }
    }

    private static long distinctMine(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).filter(k -> k != null && k.startsWith(PREFIX))
                .distinct().count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
