package dev.svertka.serve;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.configuration.MemorySize;

/**
 * The heap this pod lets images take while they are decoded, shared by the Kafka pipeline and {@code POST /predict}:
 * each decode first takes what its header says it needs ({@link dev.svertka.image.ImageDecoder#decodeBytes}) and
 * gives it back when done. Kafka batches wait for their turn; HTTP requests wait a little, then are told to come
 * back. So memory is bounded by configuration, not by how many large images happen to arrive together.
 */
@ApplicationScoped
public class DecodeBudget {

    private static final Logger LOG = Logger.getLogger(DecodeBudget.class);

    /** What the budget is counted in: a semaphore counts ints, and images are never under a KiB of heap. */
    private static final long UNIT = 1024;

    /** A share of the budget, held while one image decodes. */
    public final class Lease implements AutoCloseable {

        private final int units;

        private Lease(int units) {
            this.units = units;
        }

        @Override
        public void close() {
            permits.release(units);
        }
    }

    private final long bytes;
    private final Semaphore permits;

    @Inject
    DecodeBudget(ServeConfig config) {
        this(config.decodeMemory().map(MemorySize::asLongValue)
                .orElse((long) (Runtime.getRuntime().maxMemory() * ServeConfig.DECODE_SHARE_OF_HEAP)));
    }

    DecodeBudget(long bytes) {
        this.bytes = Math.max(UNIT, Math.min(bytes, Integer.MAX_VALUE * UNIT));
        this.permits = new Semaphore((int) (this.bytes / UNIT), true);
        LOG.infof("Decoding images may take %d MiB of heap at once (svertka.serve.decode-memory)", this.bytes >> 20);
    }

    /** The most one image may take, and all images together. */
    public long bytes() {
        return bytes;
    }

    /** Waits as long as it takes for {@code cost} bytes (at most {@link #bytes()}): the Kafka pipeline's way. */
    public Lease take(long cost) {
        int units = units(cost);
        permits.acquireUninterruptibly(units);
        return new Lease(units);
    }

    /** Waits up to {@code patience} for {@code cost} bytes; null if they did not come free meanwhile. */
    public Lease tryTake(long cost, Duration patience) throws InterruptedException {
        int units = units(cost);
        return permits.tryAcquire(units, patience.toNanos(), TimeUnit.NANOSECONDS) ? new Lease(units) : null;
    }

    private int units(long cost) {
        return (int) Math.max(1, Math.min(bytes, cost) / UNIT);
    }
}
