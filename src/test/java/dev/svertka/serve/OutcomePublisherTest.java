package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The outcome producer's settings as Kafka reads them: the configured batch and compression, the fixed guarantees. */
class OutcomePublisherTest {

    @Test
    void configuredBatchAndCompressionReachTheProducer() {
        ProducerConfig config = producerConfig(producer(262_144, "lz4"));

        assertThat(config.getInt(ProducerConfig.BATCH_SIZE_CONFIG)).isEqualTo(262_144);
        assertThat(config.getString(ProducerConfig.COMPRESSION_TYPE_CONFIG)).isEqualTo("lz4");
        assertThat(config.getLong(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo(1);
        assertThat(config.getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).isEqualTo(8 << 20);
        assertThat(config.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
        assertThat(config.getString(ProducerConfig.ACKS_CONFIG)).isEqualTo("-1"); // "all"
    }

    @Test
    void anUnknownCompressionIsRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> producerConfig(producer(262_144, "zip")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("compression.type").hasMessageContaining("zip");
    }

    private static ProducerConfig producerConfig(ServeConfig.Producer producer) {
        Map<String, Object> settings = new HashMap<>(OutcomePublisher.settings(producer));
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.StringSerializer");
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.ByteArraySerializer");
        return new ProducerConfig(settings);
    }

    private static ServeConfig.Producer producer(int batchBytes, String compression) {
        return new ServeConfig.Producer() {
            @Override
            public Duration linger() {
                return Duration.ofMillis(1);
            }

            @Override
            public int maxRequestBytes() {
                return 8 << 20;
            }

            @Override
            public int batchBytes() {
                return batchBytes;
            }

            @Override
            public String compression() {
                return compression;
            }
        };
    }
}
