package dev.svertka.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.svertka.io.Failures;
import dev.svertka.jobs.TrainerApi;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.registry.ModelAnnouncement;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelsConfig;
import dev.svertka.registry.RegistryException;
import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.core.http.HttpServerRequest;

/**
 * Serving at a glance, for the console: the live versions the models topic announces, and the meters of the
 * inference pods listed in {@code svertka.console.pods} (this process too when it serves, as the demo does).
 */
@Path("/serving")
@TrainerApi
@IfBuildProperty(name = "svertka.build.trainer-api", stringValue = "true", enableIfMissing = true)
@Produces(MediaType.APPLICATION_JSON)
public class ServingResource {

    /** The latest announcement per model (empty with {@code error} when the topic cannot be read). */
    public record Serving(Collection<ModelAnnouncement> announced, String error, List<PodMetrics> pods) {
    }

    @Inject
    ModelsConfig models;

    @Inject
    KafkaClients kafka;

    @Inject
    ConsoleConfig config;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @ConfigProperty(name = "svertka.inference.enabled")
    boolean inference;

    @GET
    public Serving serving(@Context HttpServerRequest request) {
        List<PodMetrics> pods = new ArrayList<>();
        if (inference) {
            // this process's own meters, on the port this request came in on
            pods.add(scrape("http://localhost:" + request.localAddress().port()));
        }
        config.pods().orElse(List.of()).forEach(pod -> pods.add(scrape(pod)));
        Map<String, ModelAnnouncement> announced = new TreeMap<>();
        try {
            readAnnouncements(announced);
            return new Serving(announced.values(), null, pods);
        } catch (KafkaException | RegistryException e) {
            return new Serving(announced.values(), "cannot read topic " + models.topic() + ": "
                    + Failures.describe(e), pods);
        }
    }

    /** The compacted topic from its start to its end now: the last record per model is its live version. */
    private void readAnnouncements(Map<String, ModelAnnouncement> announced) throws RegistryException {
        Duration wait = config.patience();
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(kafka.consumer(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) wait.toMillis())),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(models.topic(), wait).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions, wait);
            long deadline = System.nanoTime() + wait.toNanos();
            while (partitions.stream().anyMatch(p -> reader.position(p, wait) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("not read to its end within " + wait.toMillis() + " ms");
                }
                for (ConsumerRecord<String, String> record : reader.poll(Duration.ofMillis(100))) {
                    ModelAnnouncement announcement = ModelAnnouncer.parse(record.value());
                    announced.put(announcement.name(), announcement);
                }
            }
        }
    }

    private PodMetrics scrape(String pod) {
        try {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(pod.replaceAll("/+$", "")
                    + "/q/metrics")).timeout(config.patience()).build(), HttpResponse.BodyHandlers.ofString());
            return metrics.statusCode() == 200 ? PodMetrics.parse(pod, metrics.body())
                    : PodMetrics.unreachable(pod, "HTTP " + metrics.statusCode());
        } catch (IOException | IllegalArgumentException e) {
            return PodMetrics.unreachable(pod, Failures.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PodMetrics.unreachable(pod, "interrupted");
        }
    }
}
