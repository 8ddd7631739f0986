package dev.svertka.serve;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import ai.onnxruntime.OrtException;
import dev.svertka.image.EncodedImage;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageDecodingException;
import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;

/**
 * Decodes a batch of images and classifies the good ones in one ONNX Runtime run, with the model
 * current at that moment. Each image gets an {@link Outcome}, in input order. Shared by the Kafka
 * pipeline and the HTTP endpoint, so both answer alike.
 */
@ApplicationScoped
public class BatchClassifier {

    /** What became of one image. */
    public sealed interface Outcome permits Predicted, Refused {
    }

    public record Predicted(Prediction prediction) implements Outcome {
    }

    /** @param reason a dead-letter reason code (README) */
    public record Refused(String reason, Exception cause) implements Outcome {
    }

    public static final String MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE";
    public static final String INFERENCE_FAILED = "INFERENCE_FAILED";
    /** HTTP only: the decode memory stayed taken for longer than a request waits (Kafka batches wait their turn). */
    public static final String BUSY = "BUSY";

    private static final Logger LOG = Logger.getLogger(BatchClassifier.class);

    @Inject
    ModelHolder models;

    @Inject
    ServeConfig config;

    @Inject
    ServeMetrics metrics;

    @Inject
    DecodeBudget budget;

    @Inject
    DecodeWorkers workers;

    private volatile ImageDecoder decoder;
    // two native input buffers per consumer thread (one decoded into while the model reads the other), reused
    // batch after batch: no copy into ONNX Runtime
    private final ThreadLocal<FloatBuffer[]> inputs = ThreadLocal.withInitial(() -> new FloatBuffer[2]);

    /**
     * Classifies {@code images}; each waits for its {@link DecodeBudget} share as long as it takes (null
     * {@code patience}) or up to {@code patience}, after which it is refused as {@link #BUSY}.
     */
    public List<Outcome> classify(List<ImageEvent> images, Duration patience) {
        try {
            Optional<List<Outcome>> outcomes = models.withModel(
                    classifier -> classifyWith(classifier, images, patience));
            return outcomes.orElseGet(() -> refuseAll(images, MODEL_UNAVAILABLE,
                    new IllegalStateException("no model is loaded yet")));
        } catch (OrtException | RuntimeException e) {
            LOG.errorf(e, "Inference failed for a batch of %d images", images.size());
            return refuseAll(images, INFERENCE_FAILED, e);
        }
    }

    private List<Outcome> classifyWith(OnnxClassifier classifier, List<ImageEvent> images, Duration patience)
            throws OrtException {
        ImageDecoder imageDecoder = decoderFor(classifier.card().recipe());
        int pixels = classifier.inputShape().pixels();
        int run = runSize(classifier.inputShape());
        Outcome[] outcomes = new Outcome[images.size()];
        // the first run decoded at once; then the model runs on one run's images while the next run is decoded
        // into the other buffer
        workers.forEach(Math.min(images.size(), run),
                decoding(imageDecoder, pixels, inputBuffer(0, run * pixels), images, 0, outcomes, patience));
        DecodeWorkers.Pending ahead = null;
        for (int from = 0, k = 0; from < images.size(); from += run, k++) {
            int to = Math.min(images.size(), from + run);
            if (ahead != null) {
                ahead.finish();
            }
            ahead = to == images.size() ? null : workers.start(Math.min(images.size(), to + run) - to,
                    decoding(imageDecoder, pixels, inputBuffer((k + 1) % 2, run * pixels), images, to, outcomes,
                            patience));
            try {
                classifyRun(classifier, inputBuffer(k % 2, run * pixels), images, from, to, outcomes);
            } catch (OrtException | RuntimeException e) {
                if (ahead != null) {
                    finishQuietly(ahead); // nothing may write into this thread's buffers after it returns
                }
                throw e;
            }
        }
        return Arrays.asList(outcomes);
    }

    /**
     * Images per ONNX Runtime run: the whole batch, unless its input tensor would pass {@code max-run-input}. A
     * run of 256 photos at 224x224 is 154 MB of input and its activations spill every cache: slower per image.
     */
    private int runSize(InputShape shape) {
        long floats = config.maxRunInput().asLongValue() / Float.BYTES;
        return (int) Math.max(1, Math.min(config.maxBatchSize(), floats / shape.pixels()));
    }

    /** Decodes image {@code from + slot} into its slot of {@code batch}, or records its refusal. */
    private IntConsumer decoding(ImageDecoder imageDecoder, int pixels, FloatBuffer batch, List<ImageEvent> images,
                                 int from, Outcome[] outcomes, Duration patience) {
        return slot -> {
            int i = from + slot;
            EncodedImage image = images.get(i).image();
            try (DecodeBudget.Lease lease = lease(image.decodeBytes(imageDecoder), patience)) {
                if (lease == null) {
                    outcomes[i] = new Refused(BUSY, new IllegalStateException("the " + (budget.bytes() >> 20)
                            + " MiB for decoding images stayed taken for " + patience.toMillis() + " ms"));
                    return;
                }
                batch.put(slot * pixels, image.decode(imageDecoder));
            } catch (ImageDecodingException e) {
                outcomes[i] = new Refused(e.reason().name(), e);
            }
        };
    }

    private static void finishQuietly(DecodeWorkers.Pending decoding) {
        try {
            decoding.finish();
        } catch (RuntimeException e) {
            LOG.debugf(e, "Decoding ahead failed too"); // the batch is refused for the first failure
        }
    }

    /** Classifies the decoded images {@code from .. to - 1} in one run, closing up the refused ones' slots first. */
    private void classifyRun(OnnxClassifier classifier, FloatBuffer batch, List<ImageEvent> images, int from, int to,
                             Outcome[] outcomes) throws OrtException {
        int pixels = classifier.inputShape().pixels();
        int[] decoded = new int[to - from];
        int accepted = 0;
        for (int i = from; i < to; i++) {
            if (outcomes[i] == null) {
                if (from + accepted < i) {
                    batch.put(accepted * pixels, batch, (i - from) * pixels, pixels);
                }
                decoded[accepted++] = i;
            }
        }
        if (accepted == 0) {
            return;
        }
        long started = System.nanoTime();
        float[][] probabilities = classifier.classify(batch, accepted);
        metrics.batch(accepted, System.nanoTime() - started);
        long now = System.currentTimeMillis();
        for (int j = 0; j < accepted; j++) {
            ImageEvent image = images.get(decoded[j]);
            outcomes[decoded[j]] = new Predicted(new Prediction(image.id(), classifier.card().name(),
                    classifier.card().version(),
                    Prediction.topK(probabilities[j], classifier.card().labels(), config.topK()),
                    now - image.receivedAt()));
        }
    }

    private DecodeBudget.Lease lease(long cost, Duration patience) {
        if (patience == null) {
            return budget.take(cost);
        }
        try {
            return budget.tryTake(cost, patience);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static List<Outcome> refuseAll(List<ImageEvent> images, String reason, Exception cause) {
        return images.stream().<Outcome>map(image -> new Refused(reason, cause)).toList();
    }

    /** This thread's input buffer {@code which} (0 or 1), grown to {@code floats} when smaller. */
    private FloatBuffer inputBuffer(int which, int floats) {
        FloatBuffer[] buffers = inputs.get();
        if (buffers[which] == null || buffers[which].capacity() < floats) {
            buffers[which] = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        return buffers[which];
    }

    private ImageDecoder decoderFor(InputRecipe recipe) {
        ImageDecoder current = decoder;
        if (current == null || !current.recipe().equals(recipe)) {
            current = new ImageDecoder(recipe, new ImageDecoder.Limits(config.maxPayloadBytes(), config.maxPixels(),
                    budget.bytes()));
            decoder = current;
        }
        return current;
    }
}
