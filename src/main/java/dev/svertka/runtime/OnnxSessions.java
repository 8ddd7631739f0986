package dev.svertka.runtime;

import java.nio.file.Path;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

/**
 * The one place ONNX Runtime sessions are opened, so that the export parity check and the import check run a
 * model with the options it will be served with. The sessions hold native memory: close them.
 */
public final class OnnxSessions {

    /**
     * ONNX Runtime session settings. Small CNNs on few cores do best with one intra-op thread: a second one
     * gains nothing inside the pipeline (see BENCHMARKS.md).
     *
     * @param interOpThreads only used in the PARALLEL execution mode
     * @param spinning       whether pool threads spin while waiting for work (faster hand-offs, busier cores)
     */
    public record Options(int intraOpThreads, int interOpThreads, OptLevel optimizationLevel, boolean memoryPattern,
                          ExecutionMode executionMode, boolean spinning) {

        /** One thread each, with serving's defaults for the rest. */
        public static final Options DEFAULT = new Options(1, 1);

        /** Thread counts with the defaults for the rest: all graph optimisations, memory pattern, sequential. */
        public Options(int intraOpThreads, int interOpThreads) {
            this(intraOpThreads, interOpThreads, OptLevel.ALL_OPT, true, ExecutionMode.SEQUENTIAL, true);
        }

        /** New ONNX Runtime options with these settings; the caller closes them. */
        OrtSession.SessionOptions toSessionOptions() throws OrtException {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            try {
                options.setIntraOpNumThreads(intraOpThreads);
                options.setInterOpNumThreads(interOpThreads);
                options.setOptimizationLevel(optimizationLevel);
                options.setMemoryPatternOptimization(memoryPattern);
                options.setExecutionMode(executionMode);
                // ONNX Runtime's pool threads spin between ops by default, taking CPU the Kafka clients need
                options.addConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
                options.addConfigEntry("session.inter_op.allow_spinning", spinning ? "1" : "0");
                return options;
            } catch (OrtException | RuntimeException e) {
                options.close();
                throw e;
            }
        }
    }

    private OnnxSessions() {
    }

    /** The process-wide ONNX Runtime environment the sessions belong to, for creating their input tensors. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /** Opens the ONNX model in {@code file}. */
    public static OrtSession open(Path file, Options options) throws OrtException {
        try (OrtSession.SessionOptions sessionOptions = options.toSessionOptions()) {
            return environment().createSession(file.toString(), sessionOptions);
        }
    }

    /** Opens a serialised ONNX model. */
    public static OrtSession open(byte[] model, Options options) throws OrtException {
        try (OrtSession.SessionOptions sessionOptions = options.toSessionOptions()) {
            return environment().createSession(model, sessionOptions);
        }
    }
}
