package dev.svertka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    /** What SmallRye's default-kafka-broker map holds for a SASL_SSL cluster (Quarkus adds group.id). */
    private static final Map<String, Object> SECURED = Map.of(
            "bootstrap.servers", "kafka-0:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a\" password=\"s3cret\";",
            "ssl.truststore.location", "/certs/ca.p12",
            "group.id", "svertka",
            "tls-configuration-name", "kafka-tls");

    @Test
    void everyKindOfClientGetsTheSecuritySettingsWithItsOwnOnTop() {
        KafkaClients kafka = KafkaClients.of(SECURED);

        for (Map<String, Object> client : new Map[] {kafka.producer(Map.of("acks", "all")),
                kafka.consumer(Map.of("enable.auto.commit", false)), kafka.admin(Map.of())}) {
            assertThat(client).containsEntry("bootstrap.servers", "kafka-0:9093")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", SECURED.get("sasl.jaas.config"))
                    .containsEntry("ssl.truststore.location", "/certs/ca.p12")
                    // a plug-in's own key (Quarkus' TLS engine factory reads it) is passed on
                    .containsEntry("tls-configuration-name", "kafka-tls")
                    // the group is each consumer's own choice, not a connection setting
                    .doesNotContainKey("group.id");
        }
        assertThat(kafka.producer(Map.of("acks", "all"))).containsEntry("acks", "all");
        assertThat(kafka.consumer(Map.of("enable.auto.commit", false))).containsEntry("enable.auto.commit", false);
    }

    @Test
    void aSettingOfAnotherKindOfClientIsLeftOutAndOwnSettingsWin() {
        KafkaClients kafka = KafkaClients.of(Map.of("bootstrap.servers", "b:1", "auto.offset.reset", "earliest",
                "linger.ms", "20"));

        assertThat(kafka.producer(Map.of())).containsEntry("linger.ms", "20").doesNotContainKey("auto.offset.reset");
        assertThat(kafka.consumer(Map.of())).containsEntry("auto.offset.reset", "earliest").doesNotContainKey("linger.ms");
        assertThat(kafka.producer(Map.of("linger.ms", 5))).containsEntry("linger.ms", 5);
    }

    @Test
    void anotherAddressKeepsTheSecurityAndOnlyTheAddressIsPrinted() {
        KafkaClients moved = KafkaClients.of(SECURED).withBootstrap("elsewhere:9093");

        assertThat(moved.bootstrap()).isEqualTo("elsewhere:9093");
        assertThat(moved.admin(Map.of())).containsEntry("bootstrap.servers", "elsewhere:9093")
                .containsEntry("sasl.jaas.config", SECURED.get("sasl.jaas.config"));
        assertThat(moved.toString()).contains("elsewhere:9093").doesNotContain("s3cret");
        assertThat(KafkaClients.at("local:9092").producer(Map.of())).containsOnlyKeys("bootstrap.servers");
        assertThatThrownBy(() -> KafkaClients.of(Map.of("security.protocol", "SSL")))
                .hasMessageContaining("bootstrap.servers");
    }
}
