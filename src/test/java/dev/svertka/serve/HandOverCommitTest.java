package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
        HandOverCommit handOver = owningBoth(throttled, 10_000);
        IncomingKafkaRecord<String, byte[]> inFlight = received(handOver, 0, 41);
        Thread polling = new Thread(() -> handOver.partitionsRevoked(List.of(P0)));
        polling.start();
        // the polling thread holds the partition while the pipeline still publishes the batch
        await().atMost(Duration.ofSeconds(5)).until(() -> polling.getState() == Thread.State.TIMED_WAITING);
        inFlight.ack().toCompletableFuture().get(5, TimeUnit.SECONDS);
        polling.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(throttled.calls).containsExactly("received images-0@41", "acknowledged images-0@41",
                "revoked [images-0]", "committed in rebalance {images-0=42}");
    }

    @Test
    void aBatchOfAPartitionThatStaysDoesNotHoldTheRevocation() throws Exception {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = owningBoth(throttled, 10_000);
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
        HandOverCommit handOver = owningBoth(throttled, 100);
        received(handOver, 0, 3);
        handOver.partitionsRevoked(List.of(P0, P1));
        assertThat(throttled.calls).containsExactly("received images-0@3", "revoked [images-0, images-1]");
    }

    @Test
    void aBatchAcknowledgedAfterItsPartitionLeftIsNotCommittedByThisInstance() throws Exception {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = owningBoth(throttled, 100);
        IncomingKafkaRecord<String, byte[]> late = received(handOver, 0, 3);
        handOver.partitionsRevoked(List.of(P0));
        late.ack().toCompletableFuture().get(5, TimeUnit.SECONDS);
        handOver.terminate(true);
        assertThat(throttled.calls).containsExactly("received images-0@3", "revoked [images-0]",
                "acknowledged images-0@3", "terminated graceful=false");
    }

    @Test
    void aBatchOfAPartitionNoLongerAssignedIsNotCommittedByThisInstance() throws Exception {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = new HandOverCommit(throttled, null, 10_000, throttled);
        handOver.partitionsAssigned(List.of(P0));
        received(handOver, 1, 5).ack().toCompletableFuture().get(5, TimeUnit.SECONDS);
        handOver.terminate(true);
        assertThat(throttled.calls).containsExactly("received images-1@5", "acknowledged images-1@5",
                "terminated graceful=false");
    }

    @Test
    void stoppingCommitsWhatWasPublishedAfterTheThrottledStrategy() throws Exception {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = owningBoth(throttled, 10_000);
        received(handOver, 0, 4).ack().toCompletableFuture().get(5, TimeUnit.SECONDS);
        received(handOver, 0, 9).ack().toCompletableFuture().get(5, TimeUnit.SECONDS);
        handOver.terminate(true);
        assertThat(throttled.calls).containsExactly("received images-0@4", "acknowledged images-0@4",
                "received images-0@9", "acknowledged images-0@9", "terminated graceful=false",
                "committed at shutdown {images-0=10}");
    }

    @Test
    void afterStoppingNoBatchEntersThePipeline() {
        Throttled throttled = new Throttled();
        HandOverCommit handOver = owningBoth(throttled, 10_000);
        handOver.terminate(true);
        var late = handOver.received(record(handOver, 0, 9)).subscribeAsCompletionStage();
        assertThat(late).isNotDone();
        assertThat(throttled.calls).containsExactly("terminated graceful=false");
    }

    /** A hand-over whose instance owns partitions 0 and 1. */
    private static HandOverCommit owningBoth(Throttled throttled, long waitMillis) {
        HandOverCommit handOver = new HandOverCommit(throttled, null, waitMillis, throttled);
        handOver.partitionsAssigned(List.of(P0, P1));
        return handOver;
    }

    private static IncomingKafkaRecord<String, byte[]> received(HandOverCommit handOver, int partition, long offset) {
        return handOver.received(record(handOver, partition, offset)).await().atMost(Duration.ofSeconds(5));
    }

    private static IncomingKafkaRecord<String, byte[]> record(KafkaCommitHandler handler, int partition, long offset) {
        return new IncomingKafkaRecord<>(new ConsumerRecord<>("images", partition, offset, "k", new byte[0]), "images",
                0, handler, null, false);
    }

    /** Stands for SmallRye's throttled strategy and the consumer's commits: says what it was told, in order. */
    private static final class Throttled implements KafkaCommitHandler, HandOverCommit.Committer {

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

        @Override
        public void commitInRebalance(Map<TopicPartition, OffsetAndMetadata> offsets) {
            calls.add("committed in rebalance " + nextOffsets(offsets));
        }

        @Override
        public void commitAtShutdown(Map<TopicPartition, OffsetAndMetadata> offsets) {
            calls.add("committed at shutdown " + nextOffsets(offsets));
        }

        private static Map<String, Long> nextOffsets(Map<TopicPartition, OffsetAndMetadata> offsets) {
            Map<String, Long> next = new TreeMap<>();
            offsets.forEach((partition, offset) -> next.put(partition.toString(), offset.offset()));
            return next;
        }

        private static String position(IncomingKafkaRecord<?, ?> record) {
            return record.getTopic() + "-" + record.getPartition() + "@" + record.getOffset();
        }
    }
}
