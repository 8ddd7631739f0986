package dev.svertka.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @TempDir
    Path dataDir;

    @Test
    void storesRecordsAndKeepsThemAcrossARestart() throws Exception {
        EmbeddedKafka.Options options;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dataDir))) {
            options = kafka.options();
            Topics.ensure(kafka.clients(), Map.of("pictures", 3));
            try (ImageProducer producer = new ImageProducer(kafka.clients(), "pictures")) {
                for (int i = 0; i < 20; i++) {
                    producer.send("id-" + i, ("image " + i).getBytes(StandardCharsets.UTF_8), Map.of("n", "" + i));
                }
                producer.flush();
            }
            assertThat(read(kafka.bootstrapServers(), 20)).hasSize(20);
        }

        try (EmbeddedKafka restarted = EmbeddedKafka.start(options)) {
            assertThat(restarted.bootstrapServers()).endsWith(":" + options.port());
            List<ConsumerRecord<String, byte[]>> records = read(restarted.bootstrapServers(), 20);
            assertThat(records).hasSize(20);
            assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2).hasSize(20);
            assertThat(records).anySatisfy(r -> {
                assertThat(r.key()).isEqualTo("id-7");
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("image 7");
            });
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(String bootstrap, int expected) {
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(bootstrap), List.of("pictures"))) {
            return collector.until(records -> records.size() >= expected, Duration.ofSeconds(30));
        }
    }
}
