package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The broker goes down in the middle of a 10,000-image stream and comes back on the same port and
 * data: every image still ends as a prediction or a dead letter. The stream spans the restart by
 * construction: images are sent and classified before the broker stops, sent while it is down, and
 * sent after it is back. Duplicates are allowed only as at-least-once redelivery of the same input
 * record, which the prediction's {@code ce_id} (derived from the input's partition and offset) shows;
 * they are counted and reported.
 */
@QuarkusTest
@WithTestResource(RestartableKafkaResource.class)
class BrokerRestartTest {

    private static final int IMAGES = 10_000;
    private static final int SENT_BEFORE = 4_000;
    private static final int SENT_WHILE_DOWN = 3_000;
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
        LabeledImages test = ServedModel.serve(models, topics, brokers);
        List<ConsumerRecord<String, byte[]>> outputs;
        List<Future<RecordMetadata>> sentWhileDown = new ArrayList<>();
        try (ImageProducer producer = new ImageProducer(brokers, topics.images());
                RecordCollector collector = new RecordCollector(brokers,
                        List.of(topics.predictions(), topics.deadLetters()))) {
            send(producer, test, 0, SENT_BEFORE);
            // the pipeline is classifying when the broker goes down
            long predictedBefore = distinctMine(collector.until(
                    records -> distinctMine(records) >= PREDICTED_BEFORE, Duration.ofSeconds(90)));
            assertThat(predictedBefore).as("predicted before the restart").isGreaterThanOrEqualTo(PREDICTED_BEFORE);
            RestartableKafkaResource.restart(() -> {
                sentWhileDown.addAll(send(producer, test, SENT_BEFORE, SENT_BEFORE + SENT_WHILE_DOWN));
                // a broker that was still up would have acknowledged the first of these by now
                assertThat(sentWhileDown).as("sends acknowledged while the broker is down").noneMatch(Future::isDone);
            });
            send(producer, test, SENT_BEFORE + SENT_WHILE_DOWN, IMAGES);
            producer.flush();
            for (Future<RecordMetadata> sent : sentWhileDown) {
                sent.get(); // throws if a send made while the broker was down was lost
            }
            collector.until(records -> distinctMine(records) >= IMAGES, Duration.ofSeconds(90));
            outputs = collector.drain(Duration.ofSeconds(3)).stream()
                    .filter(r -> r.key() != null && r.key().startsWith(PREFIX)).toList();
        }
        assertThat(sentWhileDown).hasSize(SENT_WHILE_DOWN);
        StreamAccounting.assertEveryImagePredicted("Broker restart", outputs, topics.predictions(), PREFIX, IMAGES);
    }

    /** Sends images {@code from} (inclusive) to {@code to} (exclusive) of the stream. */
    private static List<Future<RecordMetadata>> send(ImageProducer producer, LabeledImages test, int from, int to) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            sent.add(producer.send(PREFIX + i, test, i % test.size(), ImageProducer.Encoding.RAW));
        }
        return sent;
    }

    private static long distinctMine(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).filter(k -> k != null && k.startsWith(PREFIX))
                .distinct().count();
    }
}
