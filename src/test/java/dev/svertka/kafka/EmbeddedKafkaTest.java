package dev.svertka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.SaslConfigs;
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

    /**
     * TLS and SASL together (SASL_SSL, as managed clusters offer): a client that trusts the certificate and logs in
     * gets through, one that does not trust it, or has the wrong password, is refused.
     */
    @Test
    void aTlsListenerTakesClientsThatTrustItsCertificateAndLogIn() throws Exception {
        EmbeddedKafka.Tls tls = LocalhostCertificate.in(dataDir.resolve("tls"), "store-secret");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dataDir.resolve("kafka"))
                .withUsers(Map.of("alice", "alice-secret")).withTls(tls))) {
            Map<String, String> alice = kafka.clientSettings("alice");
            assertThat(alice).containsEntry("security.protocol", "SASL_SSL");

            Topics.ensure(kafka.clients("alice"), Map.of("pictures", 1));
            try (ImageProducer producer = new ImageProducer(kafka.clients("alice"), "pictures")) {
                producer.send("id", "image".getBytes(StandardCharsets.UTF_8), Map.of());
                assertThat(producer.flush().complete()).isTrue();
            }
            try (RecordCollector collector = new RecordCollector(kafka.clients("alice"), List.of("pictures"))) {
                assertThat(collector.until(records -> !records.isEmpty(), Duration.ofSeconds(30))).hasSize(1);
            }

            Map<String, String> untrusting = new HashMap<>(alice);
            untrusting.keySet().removeIf(key -> key.startsWith("ssl.truststore."));
            assertThatThrownBy(() -> Topics.ensure(KafkaClients.of(untrusting), Map.of("other", 1)))
                    .hasMessageContaining("SSL handshake failed");
            Map<String, String> guessing = new HashMap<>(alice);
            guessing.put(SaslConfigs.SASL_JAAS_CONFIG, alice.get(SaslConfigs.SASL_JAAS_CONFIG).replace("alice-secret", "guess"));
            assertThatThrownBy(() -> Topics.ensure(KafkaClients.of(guessing), Map.of("other", 1)))
                    .hasMessageContaining("Authentication failed");
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(String bootstrap, int expected) {
        try (RecordCollector collector = new RecordCollector(KafkaClients.at(bootstrap), List.of("pictures"))) {
            return collector.until(records -> records.size() >= expected, Duration.ofSeconds(30));
        }
    }
}
