package dev.svertka.serve;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Threads that decode one batch's images together. A photo takes milliseconds to decode and resize, as long as a
 * small network's inference of it, so one thread decoding a whole batch leaves the other cores idle. The calling
 * thread works too; images are handed out one at a time, so a large one does not hold up the rest. Work can also
 * be started ahead and finished later, to decode the next images while the model runs on the previous ones.
 */
@ApplicationScoped
public class DecodeWorkers {

    private final int threads;
    private final ExecutorService helpers;

    @Inject
    public DecodeWorkers(ServeConfig config) {
        this(config.decodeThreads() > 0 ? config.decodeThreads() : Runtime.getRuntime().availableProcessors());
    }

    DecodeWorkers(int threads) {
        this.threads = threads;
        this.helpers = threads > 1 ? Executors.newFixedThreadPool(threads - 1, named()) : null;
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code work} for 0 .. count-1, each index once, and returns when all are done; rethrows the first failure. */
    public void forEach(int count, IntConsumer work) {
        new Pending(count, work, count - 1).finish(); // the caller takes one share at once
    }

    /**
     * Starts {@code work} for 0 .. count-1 on the helper threads and returns at once, so that the caller can do
     * something else meanwhile (run the model on the previous images); {@link Pending#finish} completes it.
     */
    public Pending start(int count, IntConsumer work) {
        return new Pending(count, work, count);
    }

    /** Work handed out one index at a time to whichever thread asks next. */
    public final class Pending {

        private final int count;
        private final IntConsumer work;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done;
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        private final Future<?>[] helping;

        private Pending(int count, IntConsumer work, int forHelpers) {
            this.count = count;
            this.work = work;
            this.done = new CountDownLatch(count);
            helping = new Future<?>[helpers == null ? 0 : Math.max(0, Math.min(threads - 1, forHelpers))];
            for (int t = 0; t < helping.length; t++) {
                helping[t] = helpers.submit(this::loop);
            }
        }

        /**
         * Does on the calling thread what no helper has taken yet, waits for the indices the helpers took, and
         * rethrows the first failure.
         */
        public void finish() {
            loop();
            for (Future<?> helper : helping) {
                // one still queued behind another batch's work would find nothing left: drop it
                helper.cancel(false);
            }
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while images were being decoded", e);
            }
            if (failure.get() != null) {
                throw failure.get();
            }
        }

        private void loop() {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                try {
                    work.accept(i);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } catch (Error e) {
                    failure.compareAndSet(null, new IllegalStateException("decoding failed: " + e, e));
                } finally {
                    done.countDown();
                }
            }
        }
    }

    @PreDestroy
    void stop() {
        if (helpers != null) {
            helpers.shutdownNow();
        }
    }

    private static ThreadFactory named() {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "svertka-decode-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
