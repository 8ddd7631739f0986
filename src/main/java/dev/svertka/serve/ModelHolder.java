package dev.svertka.serve;

import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import ai.onnxruntime.OrtException;
import dev.svertka.card.InputShape;
import dev.svertka.registry.ModelVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;

/**
 * The model the pipeline serves, swapped without stopping it. A new version is opened and warmed up by the
 * caller (never on the pipeline's threads), then replaces the current one in one atomic step; batches already
 * running finish on the old session, which is closed when the last of them is done. Batches never wait for a
 * swap: each holds a count on the session it started with instead of a lock shared by all.
 *
 * <p>The images channel starts paused and is resumed once a model is loaded, so no record is consumed before
 * something can classify it.
 */
@ApplicationScoped
public class ModelHolder {

    private static final Logger LOG = Logger.getLogger(ModelHolder.class);

    /** Work done with the current model while it cannot be closed under it. */
    @FunctionalInterface
    public interface ModelTask<T> {
        T run(OnnxClassifier classifier) throws OrtException;
    }

    private final AtomicReference<Served> current = new AtomicReference<>();

    @Inject
    ServeConfig config;

    @Inject
    ChannelRegistry channels;

    @Inject
    MeterRegistry meters;

    private Counter loaded;
    private Counter rejected;

    @PostConstruct
    void registerMetrics() {
        loaded = meters.counter("svertka.model.loads", "outcome", "loaded");
        rejected = meters.counter("svertka.model.loads", "outcome", "rejected");
    }

    /**
     * Opens {@code version}, warms it up on a full batch, makes it current and starts (or keeps) consuming
     * images. A version that fails to open or to warm up is rejected: it is closed, logged and counted, the
     * current model keeps serving, and the failure is thrown.
     */
    public synchronized void load(ModelVersion version) throws OrtException {
        long started = System.nanoTime();
        OnnxClassifier next;
        try {
            next = OnnxClassifier.open(version, config.sessionOptions());
        } catch (OrtException | RuntimeException e) {
            reject(version.card().reference(), e);
            throw e;
        }
        try {
            warmUp(next);
        } catch (OrtException | RuntimeException e) {
            next.close();
            reject(version.card().reference(), e);
            throw e;
        }
        long ready = System.nanoTime();
        Served previous = current.getAndSet(new Served(next, version));
        long swapped = System.nanoTime();
        loaded.increment();
        LOG.infof("Serving model %s from %s (opened and warmed up in %.0f ms off the pipeline; swap %.1f µs)",
                next.card().reference(), version.directory(), (ready - started) / 1e6, (swapped - ready) / 1e3);
        if (previous != null) {
            previous.retire();
        }
        PausableChannel images = channels.getPausable(ImageClassifierPipeline.IMAGES);
        if (images != null && images.isPaused()) {
            images.resume();
        }
    }

    /** Logs and counts a version that will not be served; what is served now stays. */
    public void reject(String reference, Exception cause) {
        rejected.increment();
        LOG.errorf("Rejected model %s: %s; still serving %s", reference, cause.getMessage(),
                currentVersion().map(v -> v.card().reference()).orElse("nothing"));
    }

    public Optional<OnnxClassifier> current() {
        return Optional.ofNullable(current.get()).map(served -> served.classifier);
    }

    /** The registry version being served, to find newer ones beside it. */
    public Optional<ModelVersion> currentVersion() {
        return Optional.ofNullable(current.get()).map(served -> served.version);
    }

    /** Runs {@code task} with the current model, or returns empty when none is loaded yet. */
    public <T> Optional<T> withModel(ModelTask<T> task) throws OrtException {
        while (true) {
            Served served = current.get();
            if (served == null) {
                return Optional.empty();
            }
            if (served.acquire()) {
                try {
                    return Optional.of(task.run(served.classifier));
                } finally {
                    served.release();
                }
            }
            // swapped out and closed between the read and the acquire: the next one is current already
        }
    }

    /**
     * One run of a full batch of random images before the model takes traffic: ONNX Runtime allocates and
     * plans on its first runs, and a model that cannot run on its card's input shape is caught here.
     */
    private void warmUp(OnnxClassifier classifier) throws OrtException {
        InputShape shape = classifier.inputShape();
        int batch = config.maxBatchSize();
        float[] images = new float[batch * shape.pixels()];
        Random random = new Random(1);
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat();
        }
        float[][] probabilities = classifier.classify(images, batch);
        int classes = classifier.card().labels().size();
        if (probabilities.length != batch || probabilities[0].length != classes) {
            throw new IllegalStateException("warm-up returned " + probabilities.length + " rows of "
                    + probabilities[0].length + " for " + batch + " images of " + classes + " labels");
        }
        for (float[] row : probabilities) {
            for (float p : row) {
                if (!Float.isFinite(p)) {
                    throw new IllegalStateException("warm-up returned a non-finite probability " + p);
                }
            }
        }
    }

    @PreDestroy
    void close() {
        Served last = current.getAndSet(null);
        if (last != null) {
            last.retire();
        }
    }

    /**
     * A session and the batches using it. The holder's own reference counts as one user; the session is
     * closed when it has been retired and the last batch has released it.
     */
    private static final class Served {

        final OnnxClassifier classifier;
        final ModelVersion version;
        private final AtomicInteger users = new AtomicInteger(1);

        Served(OnnxClassifier classifier, ModelVersion version) {
            this.classifier = classifier;
            this.version = version;
        }

        /** False once closed (or closing): the caller must look for the current model again. */
        boolean acquire() {
            int count;
            do {
                count = users.get();
                if (count == 0) {
                    return false;
                }
            } while (!users.compareAndSet(count, count + 1));
            return true;
        }

        void release() {
            if (users.decrementAndGet() == 0) {
                try {
                    classifier.close();
                    LOG.infof("Closed model %s after its last batch", classifier.card().reference());
                } catch (OrtException e) {
                    LOG.warnf(e, "Closing model %s failed", classifier.card().reference());
                }
            }
        }

        /** Drops the holder's reference: closes now if idle, else when the last running batch finishes. */
        void retire() {
            release();
        }
    }
}
