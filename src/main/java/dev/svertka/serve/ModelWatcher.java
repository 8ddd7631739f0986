package dev.svertka.serve;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import ai.onnxruntime.OrtException;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.registry.ModelAnnouncement;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import dev.svertka.registry.RegistryException;
import io.quarkus.runtime.StartupEvent;

/**
 * Follows the compacted models topic in an inference pod and switches the served model to each version
 * announced live for its name, from the pod's own registry (checked against the announced sha256).
 *
 * <p>A plain consumer thread rather than a SmallRye channel: the topic is state every pod must read whole
 * (assigned all partitions, from the beginning, no consumer group, nothing committed), not work to share out
 * among pods; and loading a model takes a while on a thread of its own, away from the messaging event loop
 * and outside the channel's failure and commit strategies.
 */
@ApplicationScoped
public class ModelWatcher {

    private static final Logger LOG = Logger.getLogger(ModelWatcher.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY = Duration.ofSeconds(5);

    @Inject
    ModelHolder models;

    @Inject
    ModelsConfig config;

    @Inject
    ServeConfig serve;

    @Inject
    ModelRegistry registry;

    @Inject
    KafkaClients kafka;

    @ConfigProperty(name = "svertka.inference.enabled")
    boolean inference;

    /** The last announcement per model name: the live version the pod should serve. */
    private final Map<String, ModelAnnouncement> live = new ConcurrentHashMap<>();
    /** Versions (reference@sha256) that failed: not retried on every poll, only when announced again. */
    private final Set<String> rejected = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        if (!inference) {
            return;
        }
        if (!config.follow() || serve.model().filter(m -> m.contains(":")).isPresent()) {
            LOG.infof("Not following topic %s: the served model is pinned (svertka.models.follow=%s, svertka.serve.model=%s)",
                    config.topic(), config.follow(), serve.model().orElse("-"));
            return;
        }
        running = true;
        thread = new Thread(this::follow, "svertka-model-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        while (running) {
            try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(kafka.consumer(Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer = reader;
                ModelAnnouncer.ensureTopic(kafka, config.topic());
                List<TopicPartition> partitions = reader.partitionsFor(config.topic()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                reader.assign(partitions);
                reader.seekToBeginning(partitions);
                LOG.infof("Following live model versions on topic %s", config.topic());
                while (running) {
                    for (ConsumerRecord<String, String> record : reader.poll(POLL)) {
                        remember(record);
                    }
                    reconcile();
                }
            } catch (WakeupException e) {
                // stop() woke the poll up
            } catch (RegistryException | RuntimeException e) {
                if (running) {
                    LOG.errorf("Cannot follow topic %s (%s); retrying in %d s", config.topic(), e.getMessage(),
                            RETRY.toSeconds());
                    sleep(RETRY);
                }
            }
        }
    }

    private void remember(ConsumerRecord<String, String> record) {
        try {
            ModelAnnouncement announcement = ModelAnnouncer.parse(record.value());
            live.put(announcement.name(), announcement);
            // announced again (a repaired file, say): worth one more try
            rejected.remove(id(announcement));
        } catch (RegistryException e) {
            LOG.warnf("Ignoring record %s-%d@%d on %s: %s", record.topic(), record.partition(), record.offset(),
                    config.topic(), e.getMessage());
        }
    }

    /**
     * Loads the announced live version of the served model (of the configured one while none is served yet) if it
     * is not the one served (nor rejected before).
     */
    private void reconcile() {
        ModelVersion serving = models.currentVersion().orElse(null);
        String name = serving != null ? serving.card().name() : serve.model().orElse(null);
        ModelAnnouncement wanted = name == null ? null : live.get(name);
        if (wanted == null || serving != null && wanted.version() == serving.card().version()) {
            return;
        }
        String id = id(wanted);
        if (rejected.contains(id)) {
            return;
        }
        try {
            ModelVersion next = registry.resolve(wanted.reference());
            if (!next.card().sha256().equals(wanted.sha256())) {
                throw new RegistryException("the registry at " + registry.root() + " holds sha256 " + next.card().sha256()
                        + " where the announcement says " + wanted.sha256());
            }
            LOG.infof("Model %s announced live; switching from %s", wanted.reference(),
                    serving == null ? "nothing" : serving.card().reference());
            models.load(next);
        } catch (RegistryException e) {
            rejected.add(id);
            models.reject(wanted.reference(), e);
        } catch (OrtException | RuntimeException e) {
            // ModelHolder has logged and counted it
            rejected.add(id);
        }
    }

    private static String id(ModelAnnouncement announcement) {
        return announcement.reference() + "@" + announcement.sha256();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> reader = consumer;
        if (reader != null) {
            reader.wakeup();
        }
        if (thread != null) {
            thread.join(Duration.ofSeconds(10).toMillis());
        }
    }
}
