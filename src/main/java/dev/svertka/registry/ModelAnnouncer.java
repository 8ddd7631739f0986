package dev.svertka.registry;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.kafka.KafkaClients;

/**
 * Publishes live versions on the compacted models topic, creating the topic (compacted, one partition so
 * that all announcements keep their order) if it is missing. Holds a Kafka producer: close it.
 */
public final class ModelAnnouncer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_S = 30;

    private final KafkaClients kafka;
    private final String topic;
    private final KafkaProducer<String, String> producer;

    public ModelAnnouncer(KafkaClients kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
        this.producer = new KafkaProducer<>(kafka.producer(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, TimeUnit.SECONDS.toMillis(TIMEOUT_S))),
                new StringSerializer(), new StringSerializer());
    }

    /** Announces {@code version} as the live version of its model and waits until the broker has it. */
    public ModelAnnouncement announce(ModelVersion version) throws RegistryException {
        ensureTopic(kafka, topic);
        ModelAnnouncement announcement = ModelAnnouncement.of(version);
        try {
            producer.send(new ProducerRecord<>(topic, announcement.name(), JSON.writeValueAsString(announcement)))
                    .get(TIMEOUT_S, TimeUnit.SECONDS);
            return announcement;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An announcement is always serialisable", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new RegistryException("Could not announce " + announcement.reference() + " on topic " + topic
                    + " at " + kafka.bootstrap() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Interrupted while announcing " + announcement.reference(), e);
        }
    }

    /** Creates {@code topic} compacted if it does not exist; an existing topic is left as it is. */
    public static void ensureTopic(KafkaClients kafka, String topic) throws RegistryException {
        try (Admin admin = Admin.create(kafka.admin(Map.of()))) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            if (!existing.contains(topic)) {
                admin.createTopics(Set.of(new NewTopic(topic, 1, (short) -1)
                                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                        .all().get(TIMEOUT_S, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new RegistryException("Could not create the compacted topic " + topic + " on "
                        + kafka.bootstrap() + ": " + e.getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new RegistryException("Kafka at " + kafka.bootstrap() + " did not answer while creating topic "
                    + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Interrupted while creating topic " + topic, e);
        }
    }

    /** Reads an announcement published by {@link #announce}. */
    public static ModelAnnouncement parse(String json) throws RegistryException {
        try {
            return JSON.readValue(json, ModelAnnouncement.class);
        } catch (JsonProcessingException e) {
            throw new RegistryException("Not a model announcement: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
