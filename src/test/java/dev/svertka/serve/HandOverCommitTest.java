package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;

/** The hand-over's order of events, against a throttled strategy that only records what it is told. */
class HandOverCommitTest {

    private static final TopicPartition P0 = new TopicPartition("images", 0);
    private static final TopicPartition P1 = new TopicPartition("images", 1);

    @Test
    void revokedPartitionsAreCommittedOnlyAfterTheirBatchIsPublished() throws Exception {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = new HandOverCommit(throttled, null, 10_000);
        IncomingKafkaRecord<String, byte[]> inFlight = received(handOver, 0, 41);
        Thread polling = new Thread(() -> handOver.partitionsRevoked(List.of(P0)));
        polling.start();
        // the polling thread holds the partition while the pipeline still publishes the batch
        await().atMost(Duration.ofSeconds(5)).until(() -> polling.getState() == Thread.State.TIMED_WAITING);
        inFlight.ack().toCompletableFuture().get(5, TimeUnit.SECONDS);
        polling.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(throttled.calls).containsExactly("received images-0@41", "acknowledged images-0@41",
                "revoked [images-0]");
    }

    @Test
    void aBatchOfAPartitionThatStaysDoesNotHoldTheRevocation() throws Exception {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = new HandOverCommit(throttled, null, 10_000);
        received(handOver, 1, 7);
        Thread polling = new Thread(() -> handOver.partitionsRevoked(List.of(P0)));
        polling.start();
        polling.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(polling.isAlive()).isFalse();
        assertThat(throttled.calls).containsExactly("received images-1@7", "revoked [images-0]");
    }

    @Test
    void aBatchNeverPublishedIsLeftToTheNextOwnerAfterTheWait() throws Exception {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = new HandOverCommit(throttled, null, 100);
        received(handOver, 0, 3);
        handOver.partitionsRevoked(List.of(P0, P1));
        assertThat(throttled.calls).containsExactly("received images-0@3", "revoked [images-0, images-1]");
    }

    @Test
    void afterStoppingNoBatchEntersThePipeline() {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = new HandOverCommit(throttled, null, 10_000);
        handOver.terminate(true);
        var late = handOver.received(record(handOver, 0, 9)).subscribeAsCompletionStage();
        assertThat(late).isNotDone();
        assertThat(throttled.calls).containsExactly("terminated graceful=true");
    }

    private static IncomingKafkaRecord<String, byte[]> received(HandOverCommit handOver, int partition, long offset) {
        return handOver.received(record(handOver, partition, offset)).await().atMost(Duration.ofSeconds(5));
    }

    private static IncomingKafkaRecord<String, byte[]> record(KafkaCommitHandler handler, int partition, long offset) {
        return new IncomingKafkaRecord<>(new ConsumerRecord<>("images", partition, offset, "k", new byte[0]), "images",
                0, handler, null, false);
    }

    /** Stands for SmallRye's throttled strategy: says what it was told, in order. */
    private static final class Throttled implements KafkaCommitHandler {

        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public <K, V> Uni<IncomingKafkaRecord<K, V>> received(IncomingKafkaRecord<K, V> record) {
            calls.add("received " + position(record));
            return Uni.createFrom().item(record);
        }

        @Override
        public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
            calls.add("acknowledged " + position(record));
            return Uni.createFrom().voidItem();
        }

        @Override
        public void partitionsRevoked(Collection<TopicPartition> partitions) {
            calls.add("revoked " + partitions);
        }

        @Override
        public void terminate(boolean graceful) {
            calls.add("terminated graceful=" + graceful);
        }

        private static String position(IncomingKafkaRecord<?, ?> record) {
            return record.getTopic() + "-" + record.getPartition() + "@" + record.getOffset();
        }
    }
}
