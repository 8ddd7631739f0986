package dev.svertka.serve;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
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

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @Test
    void everyImageComesOutDespiteABrokerRestart() throws Exception {
        LabeledImages test = ServedModel.serve(models, topics, brokers);
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
        StreamAccounting.assertEveryImagePredicted("Broker restart", outputs, topics.predictions(), PREFIX, IMAGES);
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
