package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class DecodeWorkersTest {

    @Test
    void everyIndexRunsOnceAndSeveralThreadsShareTheWork() {
        DecodeWorkers workers = new DecodeWorkers(3);
        try {
            AtomicIntegerArray runs = new AtomicIntegerArray(200);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            workers.forEach(200, i -> {
                runs.incrementAndGet(i);
                threads.add(Thread.currentThread().getName());
                busy();
            });
            for (int i = 0; i < 200; i++) {
                assertThat(runs.get(i)).as("runs of %d", i).isEqualTo(1);
            }
            assertThat(threads).as("the caller and its helpers").hasSizeGreaterThan(1)
                    .contains(Thread.currentThread().getName());
        } finally {
            workers.stop();
        }
    }

    @Test
    void startedWorkGoesOnWhileTheCallerDoesSomethingElseAndFinishCompletesIt() throws Exception {
        DecodeWorkers workers = new DecodeWorkers(2);
        try {
            CountDownLatch firstDone = new CountDownLatch(1);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            AtomicIntegerArray runs = new AtomicIntegerArray(20);
            DecodeWorkers.Pending pending = workers.start(20, i -> {
                threads.add(Thread.currentThread().getName());
                runs.incrementAndGet(i);
                firstDone.countDown();
            });
            // the caller has not asked for anything yet: a helper already works
            assertThat(firstDone.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(threads).allMatch(name -> name.startsWith("svertka-decode-"));
            pending.finish();
            for (int i = 0; i < 20; i++) {
                assertThat(runs.get(i)).isEqualTo(1);
            }
        } finally {
            workers.stop();
        }
    }

    @Test
    void theCallerWaitsForTheImagesAHelperIsStillDecoding() {
        DecodeWorkers workers = new DecodeWorkers(2);
        try {
            for (int round = 0; round < 20; round++) {
                String caller = Thread.currentThread().getName();
                AtomicIntegerArray done = new AtomicIntegerArray(2);
                workers.forEach(2, i -> {
                    if (!Thread.currentThread().getName().equals(caller)) {
                        sleep(50); // the helper's image is the slow one
                    }
                    done.set(i, 1);
                });
                assertThat(done.toString()).as("round %d", round).isEqualTo("[1, 1]");
            }
        } finally {
            workers.stop();
        }
    }

    @Test
    void aFailureIsRethrownAfterTheOthersFinish() {
        DecodeWorkers workers = new DecodeWorkers(2);
        try {
            AtomicIntegerArray runs = new AtomicIntegerArray(50);
            assertThatThrownBy(() -> workers.forEach(50, i -> {
                runs.incrementAndGet(i);
                if (i == 7) {
                    throw new IllegalArgumentException("image 7");
                }
            })).hasMessageContaining("image 7");
            for (int i = 0; i < 50; i++) {
                assertThat(runs.get(i)).isEqualTo(1);
            }
        } finally {
            workers.stop();
        }
    }

    @Test
    void aBatchDoesNotWaitForHelpersBusyWithAnotherBatch() throws Exception {
        DecodeWorkers workers = new DecodeWorkers(2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            // another consumer's batch: both its images block, so the one helper thread is taken
            Future<?> first = other.submit(() -> workers.forEach(2, i -> {
                blocked.countDown();
                await(release);
            }));
            assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
            AtomicIntegerArray runs = new AtomicIntegerArray(3);
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> workers.forEach(3, runs::incrementAndGet));

            second.get(5, TimeUnit.SECONDS); // done by its own thread, not queued behind the helper
            assertThat(runs.toString()).isEqualTo("[1, 1, 1]");
            release.countDown();
            first.get(5, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            other.shutdownNow();
            workers.stop();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void busy() {
        long until = System.nanoTime() + 200_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
