package dev.svertka.serve;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.svertka.kafka.KafkaClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;

/**
 * Publishes a batch's predictions and dead letters with one plain Kafka producer: a record costs one
 * {@code send}, not a reactive message with its own acknowledgement chain, which at thousands of images
 * a second is most of the pipeline's work. Idempotent with {@code acks=all}: the at-least-once contract
 * depends on it, so it is not configurable.
 */
@ApplicationScoped
public class OutcomePublisher {

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaClientMetrics metrics;

    @Inject
    public OutcomePublisher(KafkaClients kafka, ServeConfig config, MeterRegistry registry) {
        producer = new KafkaProducer<>(kafka.producer(settings(config.producer())), new StringSerializer(),
                new ByteArraySerializer());
        metrics = new KafkaClientMetrics(producer);
        metrics.bindTo(registry);
    }

    /** This producer's own settings, put on top of the application's {@code kafka.*} ones. */
    static Map<String, Object> settings(ServeConfig.Producer config) {
        return Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "svertka-outcomes",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, (int) config.linger().toMillis(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxRequestBytes(),
                ProducerConfig.BATCH_SIZE_CONFIG, config.batchBytes(),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
    }

    /**
     * Sends {@code records} in order; the stage completes once the broker has acknowledged all of them,
     * or fails with the first error (the producer has then retried for {@code delivery.timeout.ms}).
     */
    public CompletionStage<Void> sendAll(List<ProducerRecord<String, byte[]>> records) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (records.isEmpty()) {
            done.complete(null);
            return done;
        }
        AtomicInteger pending = new AtomicInteger(records.size());
        for (ProducerRecord<String, byte[]> record : records) {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else if (pending.decrementAndGet() == 0) {
                    done.complete(null);
                }
            });
        }
        return done;
    }

    /** Sends what is buffered and waits for it: in-flight outcomes are acknowledged before the consumer stops. */
    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(10));
        metrics.close();
    }
}
