package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.EmbeddedKafka;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.Topics;
import dev.svertka.train.TrainingPipeline;

/**
 * Inference instances as real processes: the packaged inference app ({@code serve} from target/inference-app,
 * the inference image's: no DL4J/ND4J), two of them in one
 * consumer group on a real embedded broker. Mid-stream, instance A is killed (SIGKILL, no shutdown
 * at all) and started again, then instance B stops (SIGTERM, graceful) and leaves the group. Every
 * image must still end as a prediction; duplicates are counted, and each is the same input record
 * redelivered (same {@code ce_id}). Runs after {@code package}, in the integration-test phase.
 */
class InstanceFailoverIT {

    private static final int IMAGES = 10_000;
    private static final String PREFIX = "failover-";

    @TempDir
    Path work;

    @Test
    void nothingIsLostWhenAnInstanceDiesOrLeaves() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(work.resolve("kafka")))) {
            String brokers = kafka.bootstrapServers();
            Topics.ensure(KafkaClients.at(brokers), Map.of("images", 4, "predictions", 2, "images-dlq", 1));
            TrainingPipeline.Result trained = TrainedDigits.into(work, 5);

            ServeProcess a = serve(brokers, "a1");
            ServeProcess b = serve(brokers, "b");
            a.awaitServing();
            b.awaitServing();
            // at most 1,000 images ahead of the outputs: the stream still flows at each kill and stop
            PacedStream stream = new PacedStream(brokers, "images", List.of("predictions", "images-dlq"), PREFIX, 1_000);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(
                    () -> stream.send(trained.data().test(), IMAGES));
            List<ConsumerRecord<String, byte[]>> outputs;
            ServeProcess restarted = null;
            try (RecordCollector collector = new RecordCollector(KafkaClients.at(brokers), List.of("predictions", "images-dlq"))) {
                int atKill = collector.until(records -> records.size() >= 2_000, Duration.ofSeconds(60)).size();
                a.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: nothing committed on the way out
                assertThat(atKill).as("killed mid-stream").isBetween(2_000, IMAGES - 1);
                restarted = serve(brokers, "a2").awaitServing();
                collector.until(records -> records.size() >= atKill + 2_000, Duration.ofSeconds(60));
                b.process().destroy(); // SIGTERM: graceful, leaves the group
                assertThat(b.process().waitFor(60, TimeUnit.SECONDS)).as("instance b stops within a minute").isTrue();
                sending.get();
                collector.until(records -> records.stream().map(ConsumerRecord::key).distinct().count() >= IMAGES,
                        Duration.ofSeconds(120));
                outputs = collector.drain(Duration.ofSeconds(3));
            } finally {
                a.process().destroyForcibly();
                b.process().destroyForcibly();
                if (restarted != null) {
                    restarted.close();
                }
            }
            StreamAccounting.assertEveryImagePredicted("Failover", outputs, "predictions", PREFIX, IMAGES);
        }
    }

    /** Starts the packaged inference app's {@code serve}; its output goes to target/failover-NAME.log. */
    private ServeProcess serve(String brokers, String name) throws IOException {
        // a killed member's partitions move on after this, not after the 45 s default
        return ServeProcess.start(Path.of("target", "failover-" + name + ".log"),
                List.of("-Dmp.messaging.incoming.images.session.timeout.ms=6000",
                        "-Dmp.messaging.incoming.images.heartbeat.interval.ms=1000"),
                "serve", "--model", "digits", "--registry", work.resolve("registry").toString(),
                "--bootstrap-servers", brokers);
    }
}
