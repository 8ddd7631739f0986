package dev.svertka.console;

import java.util.Base64;
import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import ai.onnxruntime.OrtException;
import dev.svertka.card.ModelCard;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageDecodingException;
import dev.svertka.image.ImageEncoder;
import dev.svertka.registry.ModelVersion;
import dev.svertka.serve.OnnxClassifier;
import dev.svertka.serve.Prediction;
import dev.svertka.serve.ServeConfig;

/**
 * The console's "try it": one image through a registry version, as an inference pod would classify it (the card's
 * recipe, the serving session options and top-k). Keeps the last version's session open for the next try; a
 * session of its own, so that a try never swaps the model the demo's Kafka pipeline serves.
 */
@ApplicationScoped
public class ConsoleClassifier {

    /** The top classes, and the picture as the model saw it (resized and cropped, before normalisation). */
    public record Tried(String model, List<Prediction.Score> top, String input) {
    }

    @Inject
    ServeConfig config;

    private OnnxClassifier open;

    public synchronized Tried classify(ModelVersion version, byte[] image, String contentType)
            throws ImageDecodingException, OrtException {
        OnnxClassifier classifier = sessionFor(version);
        ModelCard card = classifier.card();
        ImageDecoder decoder = new ImageDecoder(card.recipe(),
                new ImageDecoder.Limits(config.maxPayloadBytes(), config.maxPixels()));
        float[] input = decoder.pixels(image, contentType, null);
        String seen = "data:image/png;base64," + Base64.getEncoder().encodeToString(
                ImageEncoder.png(card.input(), bytes(input)));
        card.recipe().normalise(input, 0);
        float[] probabilities = classifier.classify(input, 1)[0];
        return new Tried(card.reference(), Prediction.topK(probabilities, card.labels(), config.topK()), seen);
    }

    private OnnxClassifier sessionFor(ModelVersion version) throws OrtException {
        ModelCard card = version.card();
        if (open != null && open.card().reference().equals(card.reference())
                && open.card().sha256().equals(card.sha256())) {
            return open;
        }
        close();
        open = OnnxClassifier.open(version, config.sessionOptions());
        return open;
    }

    private static byte[] bytes(float[] pixels) {
        byte[] bytes = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            bytes[i] = (byte) Math.round(Math.max(0, Math.min(255, pixels[i])));
        }
        return bytes;
    }

    @PreDestroy
    synchronized void close() throws OrtException {
        if (open != null) {
            open.close();
            open = null;
        }
    }
}
