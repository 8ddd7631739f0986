package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TimeoutException;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;

import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.SaslKafkaResource;
import dev.svertka.kafka.Topics;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * An inference app whose Kafka asks for SASL credentials, configured only through {@code kafka.*}: the topic admin,
 * readiness, the pipeline's consumer, the outcome publisher, the model watcher and the announcer all log in with
 * them, and a client without them gets nothing through.
 */
@QuarkusTest
@TestProfile(HotReloadTest.OwnBroker.class)
@WithTestResource(value = SaslKafkaResource.class, initArgs = @ResourceArg(name = SaslKafkaResource.INFERENCE, value = "true"))
class SecuredKafkaTest {

    @Inject
    KafkaClients kafka;

    @Inject
    ModelHolder models;

    @Inject
    ModelRegistry registry;

    @Inject
    TopicsConfig topics;

    @Inject
    ModelsConfig modelsConfig;

    @Inject
    @Readiness
    KafkaReadiness readiness;

    @Test
    void everyClientLogsInAndAnAnnouncedVersionServesTheImagesSent() throws Exception {
        assertThat(kafka.producer(Map.of())).containsEntry("security.protocol", "SASL_PLAINTEXT");
        // topic admin (ServedModel creates the topics), then a model in the registry the watcher reads
        LabeledImages test = ServedModel.serve(models, topics, kafka);
        assertThat(readiness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        ModelVersion trained = models.currentVersion().orElseThrow();
        byte[] onnx = Files.readAllBytes(trained.onnxFile());
        registry.publish(trained.card(), onnx, null);
        ModelVersion second = registry.publish(trained.card(), onnx, null);

        try (ModelAnnouncer announcer = new ModelAnnouncer(kafka, modelsConfig.topic())) {
            announcer.announce(registry.promote(second.card().name(), second.card().version()));
        }
        await("the model watcher switches to the announced version").atMost(Duration.ofSeconds(60))
                .until(() -> models.currentVersion().map(v -> v.card().version()).orElse(0)
                        == second.card().version());

        try (ImageProducer producer = new ImageProducer(kafka, topics.images())) {
            for (int i = 0; i < 20; i++) {
                producer.send("secured-" + i, test, i, ImageProducer.Encoding.PNG);
            }
            assertThat(producer.flush().complete()).isTrue();
        }
        try (RecordCollector collector = new RecordCollector(kafka, List.of(topics.predictions()))) {
            List<ConsumerRecord<String, byte[]>> predictions = collector.until(records -> records.size() >= 20,
                    Duration.ofSeconds(60));
            assertThat(predictions).hasSize(20).allSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .contains("\"version\":" + second.card().version() + ","));
        }
    }

    @Test
    void aClientWithoutTheCredentialsIsRefused() {
        Map<String, Object> wrongPassword = new HashMap<>(kafka.admin(Map.of()));
        wrongPassword.put(SaslConfigs.SASL_JAAS_CONFIG, String.valueOf(wrongPassword.get(SaslConfigs.SASL_JAAS_CONFIG))
                .replace("svertka-secret", "guessed"));
        assertThatThrownBy(() -> Topics.ensure(KafkaClients.of(wrongPassword), Map.of("intruder", 1)))
                .hasMessageContaining("Authentication failed");

        // no SASL at all: the broker closes the connection at the first request, which never gets an answer
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(kafka.bootstrap()), "intruder",
                Duration.ofSeconds(2))) {
            producer.send("anonymous", new byte[] {1}, Map.of());
            ImageProducer.Delivery delivery = producer.flush();
            assertThat(delivery.acknowledged()).isZero();
            assertThat(delivery.firstFailure()).isInstanceOf(TimeoutException.class);
        }
    }
}
