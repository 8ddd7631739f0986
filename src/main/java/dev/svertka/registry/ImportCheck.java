package dev.svertka.registry;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import dev.svertka.runtime.OnnxSessions;

/**
 * What a model from elsewhere must satisfy to be served: ONNX Runtime opens it, it takes one float
 * [batch, C, H, W] input of the card's shape, and on a small batch of random images it returns one
 * probability row per image, one column per label.
 */
final class ImportCheck {

    private static final int SAMPLES = 2;

    private ImportCheck() {
    }

    static void verify(byte[] model, ModelCard card, String source) throws RegistryException {
        verifyCard(card, source);
        // serving's default options, so that what is checked is what will be served
        try (OrtSession session = OnnxSessions.open(model, OnnxSessions.Options.DEFAULT)) {
            String input = verifyInput(session, card.input(), source);
            verifyOutput(session.getOutputInfo().values().iterator().next(), card, source);
            verifyProbabilities(run(session, input, card.input()), card, source);
        } catch (OrtException e) {
            throw new RegistryException("ONNX Runtime cannot use " + source + ": " + e.getMessage(), e);
        }
    }

    private static void verifyCard(ModelCard card, String source) throws RegistryException {
        if (card.labels().isEmpty()) {
            throw new RegistryException("The card for " + source + " lists no labels");
        }
        if (!ModelCard.LAYOUT_NCHW.equals(card.layout())) {
            throw new RegistryException("The card for " + source + " gives layout " + card.layout()
                    + "; only " + ModelCard.LAYOUT_NCHW + " float input is served");
        }
    }

    private static String verifyInput(OrtSession session, InputShape shape, String source)
            throws RegistryException, OrtException {
        if (session.getNumInputs() != 1) {
            throw new RegistryException(source + " has " + session.getNumInputs() + " inputs "
                    + session.getInputNames() + "; an image classifier takes one");
        }
        NodeInfo input = session.getInputInfo().values().iterator().next();
        long[] expected = {-1, shape.channels(), shape.height(), shape.width()};
        if (!(input.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT
                || !fits(tensor.getShape(), expected)) {
            throw new RegistryException(source + " takes " + input.getName() + " " + input.getInfo()
                    + " but the card describes float [batch, " + shape.channels() + ", " + shape.height() + ", "
                    + shape.width() + "] (NCHW)");
        }
        return input.getName();
    }

    private static void verifyOutput(NodeInfo output, ModelCard card, String source) throws RegistryException {
        long[] expected = {-1, card.labels().size()};
        if (!(output.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT
                || !fits(tensor.getShape(), expected)) {
            throw new RegistryException(source + " outputs " + output.getName() + " " + output.getInfo()
                    + " but the card lists " + card.labels().size() + " labels: expected float [batch, "
                    + card.labels().size() + "]");
        }
    }

    /** Dimensions the model leaves open (-1, or a symbolic batch) fit anything. */
    private static boolean fits(long[] actual, long[] expected) {
        if (actual.length != expected.length) {
            return false;
        }
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] >= 0 && expected[i] >= 0 && actual[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static float[][] run(OrtSession session, String input, InputShape shape) throws OrtException {
        float[] pixels = new float[SAMPLES * shape.pixels()];
        Random random = new Random(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        long[] dims = {SAMPLES, shape.channels(), shape.height(), shape.width()};
        try (OnnxTensor tensor = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(pixels), dims);
                OrtSession.Result result = session.run(Map.of(input, tensor))) {
            Object value = result.get(0).getValue();
            return value instanceof float[][] rows ? rows : new float[0][];
        }
    }

    /** Predictions publish probabilities: a model that ends in logits needs its Softmax before it is served. */
    private static void verifyProbabilities(float[][] rows, ModelCard card, String source) throws RegistryException {
        if (rows.length != SAMPLES || Arrays.stream(rows).anyMatch(r -> r.length != card.labels().size())) {
            throw new RegistryException(source + " did not return one row of " + card.labels().size()
                    + " values per image on a test batch of " + SAMPLES);
        }
        for (float[] row : rows) {
            double sum = 0;
            for (float p : row) {
                if (!(p >= 0 && p <= 1)) {
                    throw new RegistryException(source + " returned " + p + ", not a probability; export the "
                            + "model with its final Softmax");
                }
                sum += p;
            }
            if (Math.abs(sum - 1) > 1e-3) {
                throw new RegistryException(source + " returned a row summing to " + sum
                        + ", not class probabilities; export the model with its final Softmax");
            }
        }
    }
}
