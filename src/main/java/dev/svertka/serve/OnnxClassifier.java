package dev.svertka.serve;

import java.nio.FloatBuffer;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import dev.svertka.registry.ModelVersion;

/**
 * One ONNX Runtime session for one model version. Holds native memory: close it.
 * Thread-safe: ONNX Runtime sessions may be run concurrently.
 */
public final class OnnxClassifier implements AutoCloseable {

    /**
     * ONNX Runtime session settings. Small CNNs on few cores do best with one intra-op thread: a second one
     * gains nothing inside the pipeline (see BENCHMARKS.md).
     */
    public record SessionConfig(int intraOpThreads, int interOpThreads, OptLevel optimizationLevel,
                                boolean memoryPattern, ExecutionMode executionMode, boolean spinning) {

        public static final SessionConfig DEFAULT = new SessionConfig(1, 1);

        /** Thread counts with the defaults for the rest: all graph optimisations, memory pattern, sequential. */
        public SessionConfig(int intraOpThreads, int interOpThreads) {
            this(intraOpThreads, interOpThreads, OptLevel.ALL_OPT, true, ExecutionMode.SEQUENTIAL, true);
        }

        /** The session settings of {@code config} ({@code svertka.serve.*}). */
        public static SessionConfig of(ServeConfig config) {
            return new SessionConfig(config.intraOpThreads(), config.interOpThreads(), config.optimizationLevel(),
                    config.memoryPattern(), config.executionMode(), config.spinning());
        }

        OrtSession.SessionOptions toOptions() throws OrtException {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(interOpThreads);
            options.setOptimizationLevel(optimizationLevel);
            options.setMemoryPatternOptimization(memoryPattern);
            options.setExecutionMode(executionMode);
            // ONNX Runtime's pool threads spin between ops by default, taking CPU the Kafka clients need
            options.addConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
            options.addConfigEntry("session.inter_op.allow_spinning", spinning ? "1" : "0");
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
