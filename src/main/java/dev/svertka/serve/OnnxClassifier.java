package dev.svertka.serve;

import java.nio.FloatBuffer;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import dev.svertka.registry.ModelVersion;
import dev.svertka.runtime.OnnxSessions;

/**
 * One ONNX Runtime session for one model version. Holds native memory: close it.
 * Thread-safe: ONNX Runtime sessions may be run concurrently.
 */
public final class OnnxClassifier implements AutoCloseable {

    private final ModelCard card;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;

    private OnnxClassifier(ModelCard card, OrtEnvironment env, OrtSession session) {
        this.card = card;
        this.env = env;
        this.session = session;
        this.inputName = session.getInputNames().iterator().next();
    }

    /** Opens {@code version}'s ONNX file (already checked against its sha256 by the registry). */
    public static OnnxClassifier open(ModelVersion version, OnnxSessions.Options options) throws OrtException {
        return new OnnxClassifier(version.card(), OnnxSessions.environment(),
                OnnxSessions.open(version.onnxFile(), options));
    }

    public ModelCard card() {
        return card;
    }

    public InputShape inputShape() {
        return card.input();
    }

    /**
     * Class probabilities for {@code count} images laid one after another in {@code inputs}
     * (CHW each, already scaled).
     */
    public float[][] classify(float[] inputs, int count) throws OrtException {
        return classify(FloatBuffer.wrap(inputs), count);
    }

    /**
     * As {@link #classify(float[], int)}, reading from position 0 of {@code inputs}. A direct buffer is
     * handed to ONNX Runtime as it is; a heap buffer is copied into native memory first.
     */
    public float[][] classify(FloatBuffer inputs, int count) throws OrtException {
        InputShape shape = card.input();
        int floats = count * shape.pixels();
        if (inputs.capacity() < floats) {
            throw new IllegalArgumentException("input holds " + inputs.capacity() + " floats, " + count
                    + " images need " + floats);
        }
        long[] dims = {count, shape.channels(), shape.height(), shape.width()};
        FloatBuffer data = inputs.duplicate().position(0).limit(floats);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, data, dims);
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            return (float[][]) result.get(0).getValue();
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
