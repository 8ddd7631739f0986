package dev.svertka.serve;

import static java.util.Objects.requireNonNullElse;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.commit.ContextHolder;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;
import io.vertx.mutiny.core.Context;
import io.vertx.mutiny.core.Vertx;

/**
 * The images channel's commit strategy ({@code commit-strategy=hand-over}): SmallRye's throttled strategy, made to
 * hand partitions over cleanly. Partitions leave an instance when it is rebalanced (another instance joins or leaves)
 * or stops. The throttled strategy alone commits what was acknowledged by then and ignores later acknowledgements,
 * so the batches still in the pipeline are published and classified again by the next owner (duplicates). Here the
 * polling thread, which fetches nothing meanwhile, first waits until the batches already taken from the leaving
 * partitions are acknowledged (their outcomes stored), at most {@code svertka.serve.hand-over-wait}; then it commits
 * each such partition up to its last acknowledged batch, and the partitions are released. (That commit is its own:
 * the throttled strategy forgets offsets whose periodic commit failed, as commits during a rebalance do, and then
 * commits nothing for them on revoke.) Once the channel stops, no further batch enters the pipeline: what was
 * fetched but not started stays uncommitted, for the next owner.
 */
public final class HandOverCommit extends ContextHolder implements KafkaCommitHandler {

    public static final String STRATEGY = "hand-over";

    private static final Logger LOG = Logger.getLogger(HandOverCommit.class);

    /** Wraps the throttled strategy SmallRye would create for the channel. */
    @ApplicationScoped
    @Identifier(STRATEGY)
    public static class Factory implements KafkaCommitHandler.Factory {

        @Inject
        @Identifier(Strategy.THROTTLED)
        KafkaCommitHandler.Factory throttled;

        @Inject
        ServeConfig serve;

        @Override
        public KafkaCommitHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx,
                                         KafkaConsumer<?, ?> consumer, BiConsumer<Throwable, Boolean> reportFailure) {
            Map<String, ?> kafka = consumer.configuration();
            LOG.infof("Consumer group %s: %s protocol, assignor %s, static member %s; leaving partitions wait up to"
                            + " %d ms for their batches", kafka.get(ConsumerConfig.GROUP_ID_CONFIG),
                    requireNonNullElse(kafka.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG),
                            ConsumerConfig.DEFAULT_GROUP_PROTOCOL),
                    requireNonNullElse(kafka.get(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG),
                            "(Kafka's default)"),
                    requireNonNullElse(kafka.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "(none)"),
                    serve.handOverWait().toMillis());
            Committer committer = new Committer() {
                @Override
                public void commitInRebalance(Map<TopicPartition, OffsetAndMetadata> offsets) {
                    consumer.unwrap().commitSync(offsets);
                }

                @Override
                public void commitAtShutdown(Map<TopicPartition, OffsetAndMetadata> offsets) {
                    consumer.commit(offsets).await().atMost(serve.handOverWait());
                }
            };
            return new HandOverCommit(throttled.create(config, vertx, consumer, reportFailure), vertx,
                    serve.handOverWait().toMillis(), committer);
        }
    }

    /** Commits offsets and waits for the broker to store them. */
    interface Committer {

        /** On the polling thread, from a rebalance callback. */
        void commitInRebalance(Map<TopicPartition, OffsetAndMetadata> offsets);

        /** From the thread stopping the channel: the commit runs on the polling thread. */
        void commitAtShutdown(Map<TopicPartition, OffsetAndMetadata> offsets);
    }

    private final KafkaCommitHandler throttled;
    private final long waitMillis;
    /** Per partition: batches the pipeline took from it and has not acknowledged yet. Guarded by this. */
    private final Map<TopicPartition, Integer> unacknowledged = new HashMap<>();
    /** Per partition: the offset of the last record of its last acknowledged batch. Guarded by this. */
    private final Map<TopicPartition, Long> acknowledgedUpTo = new HashMap<>();
    /** Guarded by this. */
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final Committer committer;
    private boolean stopped;

    HandOverCommit(KafkaCommitHandler throttled, Vertx vertx, long waitMillis, Committer committer) {
        super(vertx, (int) waitMillis);
        this.throttled = throttled;
        this.waitMillis = waitMillis;
        this.committer = committer;
    }

    // the throttled strategy runs its bookkeeping on the channel's event-loop context, which SmallRye gives here
    @Override
    public void capture(Context context) {
        super.capture(context);
        ((ContextHolder) throttled).capture(context);
    }

    @Override
    public void capture(io.vertx.core.Context context) {
        super.capture(context);
        ((ContextHolder) throttled).capture(context);
    }

    @Override
    public <K, V> Multi<IncomingKafkaRecord<K, V>> decorateStream(Multi<IncomingKafkaRecord<K, V>> consumed) {
        return throttled.decorateStream(consumed);
    }

    /** In batch mode: once per partition of a batch, with its latest record, before the pipeline gets the batch. */
    @Override
    public <K, V> Uni<IncomingKafkaRecord<K, V>> received(IncomingKafkaRecord<K, V> record) {
        if (isStopped()) {
            return Uni.createFrom().nothing();
        }
        // counted once the throttled strategy has it: its first record of a partition asks the polling thread
        // for the committed offset, and that thread may be waiting in partitionsRevoked for these very counts
        return throttled.received(record).onItem().transformToUni(
                taken -> taken(partition(taken)) ? Uni.createFrom().item(taken) : Uni.createFrom().nothing());
    }

    @Override
    public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
        return throttled.handle(record).onTermination()
                .invoke(() -> acknowledged(partition(record), record.getOffset()));
    }

    @Override
    public void partitionsAssigned(Collection<TopicPartition> partitions) {
        synchronized (this) {
            assigned.addAll(partitions);
        }
        if (!partitions.isEmpty()) { // cooperative rebalancing calls with none where nothing moved here
            LOG.infof("Assigned %s", partitions);
        }
        throttled.partitionsAssigned(partitions);
    }

    /** On the polling thread, which fetches nothing until the partitions are released. */
    @Override
    public void partitionsRevoked(Collection<TopicPartition> partitions) {
        String what = "Revoked " + partitions;
        Map<TopicPartition, OffsetAndMetadata> published = handOver(what, partitions::contains);
        throttled.partitionsRevoked(partitions);
        // after the throttled strategy's own commit, which may be lower: the last one stands
        commit(what, published, committer::commitInRebalance);
    }

    @Override
    public void terminate(boolean graceful) {
        synchronized (this) {
            stopped = true;
        }
        Map<TopicPartition, OffsetAndMetadata> published = graceful
                ? handOver("Stopping", partition -> true)
                : Map.of();
        // the hand-over did the waiting: the throttled strategy's own count of records in processing stayed above
        // zero after every batch was acknowledged (120 in ScalingIT), holding each shutdown auto.commit.interval.ms
        throttled.terminate(false);
        commit("Stopping", published, committer::commitAtShutdown);
    }

    /** Waits for the leaving partitions' batches in flight; returns where they are published. */
    private Map<TopicPartition, OffsetAndMetadata> handOver(String what, Predicate<TopicPartition> leaving) {
        long start = System.nanoTime();
        int before = inFlight(leaving);
        int left = awaitAcknowledged(leaving);
        Map<TopicPartition, OffsetAndMetadata> published = takePublished(leaving);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // counted per batch and partition: a batch holding records of three leaving partitions counts three
        if (left == 0) {
            LOG.infof("%s: waited %d ms for %d batch part(s) in flight to be published; committing %s", what,
                    waited, before, published);
        } else {
            LOG.warnf("%s: %d of %d batch part(s) still unpublished after %d ms: committing %s, the next owner"
                    + " classifies the rest again", what, left, before, waited, published);
        }
        return published;
    }

    private static void commit(String what, Map<TopicPartition, OffsetAndMetadata> published,
                               Consumer<Map<TopicPartition, OffsetAndMetadata>> commit) {
        if (!published.isEmpty()) {
            try {
                commit.accept(published);
            } catch (RuntimeException e) {
                LOG.warnf(e, "%s: could not commit %s; the next owner classifies those batches again", what,
                        published);
            }
        }
    }

    /**
     * The next offset to read of each leaving partition whose batches are all published; the leaving partitions
     * are forgotten, so a batch of theirs acknowledged later counts for nothing here.
     */
    private synchronized Map<TopicPartition, OffsetAndMetadata> takePublished(Predicate<TopicPartition> leaving) {
        Map<TopicPartition, OffsetAndMetadata> published = new HashMap<>();
        acknowledgedUpTo.forEach((partition, offset) -> {
            if (leaving.test(partition) && !unacknowledged.containsKey(partition)) {
                published.put(partition, new OffsetAndMetadata(offset + 1));
            }
        });
        acknowledgedUpTo.keySet().removeIf(leaving);
        unacknowledged.keySet().removeIf(leaving);
        assigned.removeIf(leaving);
        return published;
    }

    private synchronized int awaitAcknowledged(Predicate<TopicPartition> leaving) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        int left = inFlight(leaving);
        while (left > 0) {
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining <= 0) {
                break;
            }
            try {
                wait(remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = inFlight(leaving);
        }
        return left;
    }

    private synchronized int inFlight(Predicate<TopicPartition> leaving) {
        return unacknowledged.entrySet().stream().filter(e -> leaving.test(e.getKey()))
                .mapToInt(Map.Entry::getValue).sum();
    }

    private synchronized boolean isStopped() {
        return stopped;
    }

    /** False once stopped. A batch of a partition revoked meanwhile goes on, but is not this instance's to commit. */
    private synchronized boolean taken(TopicPartition partition) {
        if (!stopped && assigned.contains(partition)) {
            unacknowledged.merge(partition, 1, Integer::sum);
        }
        return !stopped;
    }

    private synchronized void acknowledged(TopicPartition partition, long offset) {
        Integer inFlight = unacknowledged.get(partition);
        if (inFlight == null) {
            return; // handed over already: not this instance's to commit any more
        }
        if (inFlight == 1) {
            unacknowledged.remove(partition);
        } else {
            unacknowledged.put(partition, inFlight - 1);
        }
        acknowledgedUpTo.merge(partition, offset, Math::max);
        notifyAll();
    }

    private static TopicPartition partition(IncomingKafkaRecord<?, ?> record) {
        return new TopicPartition(record.getTopic(), record.getPartition());
    }
}
