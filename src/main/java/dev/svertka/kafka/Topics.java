package dev.svertka.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics Svertka uses, so that partition counts are chosen, not defaulted. */
public final class Topics {

    private Topics() {
    }

    /** Creates the missing ones among {@code topics} (name → partitions); existing topics are left as they are. */
    public static void ensure(KafkaClients kafka, Map<String, Integer> topics) throws KafkaSetupException {
        try (Admin admin = Admin.create(kafka.admin(Map.of()))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.entrySet().stream()
                    .filter(t -> !existing.contains(t.getKey()))
                    .map(t -> new NewTopic(t.getKey(), t.getValue(), (short) 1))
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
