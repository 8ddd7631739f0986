package dev.svertka.serve;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

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
    // one native input buffer per consumer thread, reused batch after batch: no copy into ONNX Runtime
    private final ThreadLocal<FloatBuffer> inputs = new ThreadLocal<>();

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
        InputShape shape = classifier.inputShape();
        ImageDecoder imageDecoder = decoderFor(classifier.card().recipe());
        FloatBuffer batch = inputBuffer(images.size(), shape.pixels());
        Outcome[] outcomes = new Outcome[images.size()];
        // each image decoded into its own slot, several at once; the refused ones' slots are closed up below
        workers.forEach(images.size(), i -> {
            EncodedImage image = images.get(i).image();
            try (DecodeBudget.Lease lease = lease(image.decodeBytes(imageDecoder), patience)) {
                if (lease == null) {
                    outcomes[i] = new Refused(BUSY, new IllegalStateException("the " + (budget.bytes() >> 20)
                            + " MiB for decoding images stayed taken for " + patience.toMillis() + " ms"));
                    return;
                }
                batch.put(i * shape.pixels(), image.decode(imageDecoder));
            } catch (ImageDecodingException e) {
                outcomes[i] = new Refused(e.reason().name(), e);
            }
        });
        int[] slots = new int[images.size()];
        int accepted = 0;
        for (int i = 0; i < images.size(); i++) {
            if (outcomes[i] == null) {
                if (accepted < i) {
                    batch.put(accepted * shape.pixels(), batch, i * shape.pixels(), shape.pixels());
                }
                slots[accepted++] = i;
            }
        }
        if (accepted > 0) {
            long started = System.nanoTime();
            float[][] probabilities = classifier.classify(batch, accepted);
            metrics.batch(accepted, System.nanoTime() - started);
            long now = System.currentTimeMillis();
            for (int j = 0; j < accepted; j++) {
                ImageEvent image = images.get(slots[j]);
                outcomes[slots[j]] = new Predicted(new Prediction(image.id(), classifier.card().name(),
                        classifier.card().version(),
                        Prediction.topK(probabilities[j], classifier.card().labels(), config.topK()),
                        now - image.receivedAt()));
            }
        }
        return Arrays.asList(outcomes);
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

    private FloatBuffer inputBuffer(int images, int pixels) {
        FloatBuffer buffer = inputs.get();
        if (buffer == null || buffer.capacity() < images * pixels) {
            int capacity = Math.max(images, config.maxBatchSize()) * pixels;
            buffer = ByteBuffer.allocateDirect(capacity * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            inputs.set(buffer);
        }
        return buffer;
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
