package dev.svertka.bench;

import java.lang.management.ManagementFactory;

import com.sun.management.OperatingSystemMXBean;

/**
 * The process's CPU time (all threads: training, prefetch, native workers, GC, JIT) from the end of the first
 * training batch to the end of the last. On a machine shared with other builds the wall clock measures their load
 * as much as ours; CPU seconds per image barely do (train_reference.py measures PyTorch the same way).
 */
final class CpuClock {

    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private long first = -1;
    private long last;

    /** Called when a training batch is done. */
    void batchDone() {
        last = OS.getProcessCpuTime();
        if (first < 0) {
            first = last;
        }
    }

    /** Images per CPU-second over all batches but the first (whose size is {@code firstBatch}). */
    double imagesPerCpuSecond(long images, int firstBatch) {
        if (first < 0 || last == first) {
            throw new IllegalStateException("the CPU clock saw fewer than two training batches");
        }
        return (images - firstBatch) / ((last - first) / 1e9);
    }
}
