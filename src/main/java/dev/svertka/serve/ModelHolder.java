package dev.svertka.serve;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import ai.onnxruntime.OrtException;
import dev.svertka.registry.ModelVersion;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;

/**
 * The model the pipeline serves. The images channel starts paused and is resumed once a model is
 * loaded, so no record is consumed before something can classify it.
 */
@ApplicationScoped
public class ModelHolder {

    private static final Logger LOG = Logger.getLogger(ModelHolder.class);

    /** Work done with the current model while it cannot be closed under it. */
    @FunctionalInterface
    public interface ModelTask<T> {
        T run(OnnxClassifier classifier) throws OrtException;
    }

    private final AtomicReference<OnnxClassifier> current = new AtomicReference<>();
    // readers are batches in flight; the writer closes a replaced session once they are done
    private final ReadWriteLock inUse = new ReentrantReadWriteLock();

    @Inject
    ServeConfig config;

    @Inject
    ChannelRegistry channels;

    /** Loads {@code version}, makes it current and starts (or keeps) consuming images. */
    public void load(ModelVersion version) throws OrtException {
        OnnxClassifier next = OnnxClassifier.open(version,
                new OnnxClassifier.SessionConfig(config.intraOpThreads(), 1));
        OnnxClassifier previous = current.getAndSet(next);
        LOG.infof("Serving model %s from %s", next.card().reference(), version.directory());
        if (previous != null) {
            closeWhenIdle(previous);
        }
        PausableChannel images = channels.getPausable(ImageClassifierPipeline.IMAGES);
        if (images != null && images.isPaused()) {
            images.resume();
        }
    }

    public Optional<OnnxClassifier> current() {
        return Optional.ofNullable(current.get());
    }

    /** Runs {@code task} with the current model, or returns empty when none is loaded yet. */
    public <T> Optional<T> withModel(ModelTask<T> task) throws OrtException {
        inUse.readLock().lock();
        try {
            OnnxClassifier classifier = current.get();
            return classifier == null ? Optional.empty() : Optional.of(task.run(classifier));
        } finally {
            inUse.readLock().unlock();
        }
    }

    private void closeWhenIdle(OnnxClassifier old) {
        inUse.writeLock().lock();
        try {
            old.close();
        } catch (OrtException e) {
            LOG.warnf(e, "Closing model %s failed", old.card().reference());
        } finally {
            inUse.writeLock().unlock();
        }
    }

    @PreDestroy
    void close() {
        OnnxClassifier last = current.getAndSet(null);
        if (last != null) {
            closeWhenIdle(last);
        }
    }
}
