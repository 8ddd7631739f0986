package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    private static void busy() {
        long until = System.nanoTime() + 200_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
