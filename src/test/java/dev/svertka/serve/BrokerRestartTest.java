package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.RecordCollector;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The broker goes down in the middle of a 10,000-image stream and comes back on the same port and
 * data: every image still ends as a prediction or a dead letter. The stream spans the restart by
 * construction: it is paced to stay at most 500 images ahead of the outputs, so it cannot finish before
 * the broker stops, and the test checks that it had not. Duplicates are allowed only as at-least-once
 * redelivery of the same input record, which the prediction's {@code ce_id} (derived from the input's
 * partition and offset) shows; they are counted and reported.
 */
@QuarkusTest
@WithTestResource(RestartableKafkaResource.class)
class BrokerRestartTest {

    private static final int IMAGES = 10_000;
    private static final int PREDICTED_BEFORE = 1_000;
    private static final String PREFIX = "restart-";

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @Test
    void everyImageComesOutDespiteABrokerRestart() throws Exception {
        LabeledImages test = ServedModel.serve(models, topics, KafkaClients.at(brokers));
        List<String> outputTopics = List.of(topics.predictions(), topics.deadLetters());
        PacedStream stream = new PacedStream(brokers, topics.images(), outputTopics, PREFIX, 500);
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> stream.send(test, IMAGES));
        List<ConsumerRecord<String, byte[]>> outputs;
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers), outputTopics)) {
            // the pipeline is classifying when the broker goes down, and the stream is not over
            long predictedBefore = distinctMine(collector.until(
                    records -> distinctMine(records) >= PREDICTED_BEFORE, Duration.ofSeconds(90)));
            RestartableKafkaResource.restart(() -> assertThat(sending).as("still sending when the broker stops")
                    .isNotDone());
            assertThat(predictedBefore).as("predicted before the restart").isBetween((long) PREDICTED_BEFORE,
                    IMAGES - 1L);
            sending.get(5, TimeUnit.MINUTES); // the rest of the stream, sent after the broker is back
            collector.until(records -> distinctMine(records) >= IMAGES, Duration.ofSeconds(90));
            outputs = collector.drain(Duration.ofSeconds(3)).stream()
                    .filter(r -> r.key() != null && r.key().startsWith(PREFIX)).toList();
        }
        StreamAccounting.assertEveryImagePredicted("Broker restart", outputs, topics.predictions(), PREFIX, IMAGES);
    }

    private static long distinctMine(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).filter(k -> k != null && k.startsWith(PREFIX))
                .distinct().count();
    }
}
