package dev.svertka.serve;

import java.util.concurrent.ExecutionException;
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
 * thread works too; images are handed out one at a time, so a large one does not hold up the rest.
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
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable loop = () -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                try {
                    work.accept(i);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        int extra = helpers == null ? 0 : Math.min(threads - 1, count - 1);
        Future<?>[] running = new Future<?>[extra];
        for (int t = 0; t < extra; t++) {
            running[t] = helpers.submit(loop);
        }
        loop.run();
        for (Future<?> helper : running) {
            if (helper.cancel(false)) {
                continue; // still queued behind another batch's work: nothing of this batch is left for it
            }
            try {
                helper.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while images were being decoded", e);
            } catch (ExecutionException e) {
                failure.compareAndSet(null, new IllegalStateException(e.getCause()));
            }
        }
        if (failure.get() != null) {
            throw failure.get();
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
