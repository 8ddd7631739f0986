package dev.svertka.serve;

import java.nio.FloatBuffer;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.svertka.model.InputShape;
import dev.svertka.model.ModelCard;
import dev.svertka.registry.ModelVersion;

/**
 * One ONNX Runtime session for one model version. Holds native memory: close it.
 * Thread-safe: ONNX Runtime sessions may be run concurrently.
 */
public final class OnnxClassifier implements AutoCloseable {

    /** ONNX Runtime session settings; small CNNs on few cores do best with few intra-op threads. */
    public record SessionConfig(int intraOpThreads, int interOpThreads) {

        public static final SessionConfig DEFAULT = new SessionConfig(1, 1);

        OrtSession.SessionOptions toOptions() throws OrtException {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(interOpThreads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        }
    }

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
    public static OnnxClassifier open(ModelVersion version, SessionConfig config) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = config.toOptions()) {
            OrtSession session = env.createSession(version.onnxFile().toString(), options);
            return new OnnxClassifier(version.card(), env, session);
        }
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
        InputShape shape = card.input();
        if (inputs.length < count * shape.pixels()) {
            throw new IllegalArgumentException("input holds " + inputs.length + " floats, " + count + " images need "
                    + count * shape.pixels());
        }
        long[] dims = {count, shape.channels(), shape.height(), shape.width()};
        FloatBuffer data = FloatBuffer.wrap(inputs, 0, count * shape.pixels());
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
