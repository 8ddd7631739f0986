package dev.svertka.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics Svertka uses, so that partition counts and message sizes are chosen, not defaulted. */
public final class Topics {

    /**
     * The largest record the topics Svertka creates take (their {@code max.message.bytes}, as k8s/topics and
     * deploy/compose.yaml give images and images-dlq): twice {@code svertka.serve.max-payload-bytes}, so that an
     * over-limit image reaches the pipeline and is dead-lettered whole, not refused to its producer. Set on the topic,
     * not left to the broker's {@code message.max.bytes}, which is 1 MB unless a cluster raises it.
     */
    public static final int MAX_MESSAGE_BYTES = 8 << 20;

    private Topics() {
    }

    /**
     * Creates the missing ones among {@code topics} (name → partitions), taking records up to
     * {@link #MAX_MESSAGE_BYTES}; existing topics are left as they are.
     */
    public static void ensure(KafkaClients kafka, Map<String, Integer> topics) throws KafkaSetupException {
        try (Admin admin = Admin.create(kafka.admin(Map.of()))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.entrySet().stream()
                    .filter(t -> !existing.contains(t.getKey()))
                    .map(t -> new NewTopic(t.getKey(), t.getValue(), (short) 1)
                            .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES))))
                    .toList();
            for (var created : admin.createTopics(missing).values().values()) {
                try {
                    created.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // another client (a consumer's auto-creation, another pod) made it in the meantime: fine
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaSetupException("Could not create topics " + topics.keySet() + " on " + kafka.bootstrap()
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("Interrupted while creating topics", e);
        }
    }

    /** Topics cannot be prepared on the configured cluster. */
    public static final class KafkaSetupException extends Exception {
        public KafkaSetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
