package dev.svertka.serve;

import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;

/**
 * Sends a stream of images keyed {@code prefix + i}, never more than {@code ahead} images ahead of the
 * outputs that have come out: images are in flight whenever a test acts on the pipeline (a version switch,
 * a killed instance), however fast or slow the machine, and the stream lasts until the test is done.
 */
record PacedStream(String brokers, String imagesTopic, List<String> outputTopics, String prefix, int ahead) {

    private static final int STEP = 50;
    private static final Duration STALL = Duration.ofMinutes(3);

    void send(LabeledImages images, int count) {
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), imagesTopic);
                RecordCollector outputs = new RecordCollector(KafkaClients.at(brokers), outputTopics)) {
            for (int i = 0; i < count; i++) {
                if (i % STEP == 0) {
                    producer.flush();
                    int sent = i;
                    if (out(outputs.until(records -> out(records) >= sent - ahead, STALL)) < sent - ahead) {
                        throw new IllegalStateException("no outputs for " + STALL + ": " + sent + " images sent");
                    }
                }
                producer.send(prefix + i, images, i % images.size(), ImageProducer.Encoding.RAW);
            }
            producer.flush();
        }
    }

    private long out(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).filter(k -> k != null && k.startsWith(prefix))
                .distinct().count();
    }
}
