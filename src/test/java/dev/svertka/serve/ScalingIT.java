package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.kafka.EmbeddedKafka;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.Topics;
import dev.svertka.train.TrainingPipeline;

/**
 * Scaling as the autoscaler does it, with the packaged inference app as real processes on a real embedded broker:
 * a steady stream flows to one instance, a second joins the consumer group mid-stream (scale-out), then the first
 * gets SIGTERM and leaves (scale-in). Both are graceful, so every image comes out exactly once: no duplicates, not
 * only nothing missing. The longest pause in the prediction stream is reported. Runs after {@code package}.
 */
class ScalingIT {

    private static final String PREFIX = "scaling-";
    private static final int IMAGES_PER_SECOND = 300;
    private static final int PER_PHASE = 1_500;

    @TempDir
    Path work;

    @Test
    void instancesJoinAndLeaveWithoutDuplicates() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(work.resolve("kafka")))) {
            String brokers = kafka.bootstrapServers();
            Topics.ensure(kafka.clients(), Map.of("images", 8, "predictions", 2, "images-dlq", 1));
            TrainingPipeline.Result trained = TrainedDigits.into(work, 7);

            ServeProcess a = serve(brokers, "a").awaitServing();
            ServeProcess b = null;
            SteadyStream stream = SteadyStream.start(brokers, "images", trained.data().test(), PREFIX,
                    IMAGES_PER_SECOND);
            int sent;
            List<ConsumerRecord<String, byte[]>> outputs;
            try (RecordCollector collector = new RecordCollector(kafka.clients(), List.of("predictions", "images-dlq"))) {
                collector.until(records -> from(records, "a") >= PER_PHASE, Duration.ofSeconds(60));
                b = serve(brokers, "b").awaitServing(); // scale-out: b joins the group mid-stream
                long byB = from(collector.until(records -> from(records, "b") >= PER_PHASE, Duration.ofSeconds(90)),
                        "b");
                assertThat(byB).as("b classifies part of the stream after joining").isGreaterThanOrEqualTo(PER_PHASE);
                a.process().destroy(); // scale-in: SIGTERM, a hands its partitions to b
                assertThat(a.process().waitFor(60, TimeUnit.SECONDS)).as("a stops within a minute").isTrue();
                long stopped = from(collector.until(r -> true, Duration.ZERO), "b");
                collector.until(records -> from(records, "b") >= stopped + PER_PHASE, Duration.ofSeconds(60));
                sent = stream.stop();
                collector.until(records -> records.stream().map(ConsumerRecord::key).distinct().count() >= sent,
                        Duration.ofSeconds(60));
                outputs = collector.drain(Duration.ofSeconds(3));
            } finally {
                a.process().destroyForcibly();
                if (b != null) {
                    b.close();
                }
            }
            PredictionGaps gaps = PredictionGaps.of(outputs, "predictions");
            System.out.println("Scaling 1 → 2 → 1 at " + IMAGES_PER_SECOND + " images/s: " + gaps);
            PredictionTally tally = StreamAccounting.assertEveryImagePredicted("Scaling", outputs, "predictions",
                    PREFIX, sent);
            assertThat(tally.duplicates()).as("duplicates after a graceful join and leave").isZero();
        }
    }

    /** Predictions published by instance {@code name} (their CloudEvents source). */
    private static long from(List<ConsumerRecord<String, byte[]>> records, String name) {
        return records.stream().filter(r -> ("/svertka/inference/" + name)
                .equals(ServeContractTest.header(r, CloudEvents.SOURCE))).count();
    }

    /** Starts the packaged inference app's {@code serve} with its own event source; output in target/scaling-NAME.log. */
    private ServeProcess serve(String brokers, String name) throws IOException {
        return ServeProcess.start(Path.of("target", "scaling-" + name + ".log"),
                List.of("-Dsvertka.serve.event-source=/svertka/inference/" + name),
                "serve", "--model", "digits", "--registry", work.resolve("registry").toString(),
                "--bootstrap-servers", brokers);
    }
}
