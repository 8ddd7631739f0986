package dev.svertka.runtime;

import java.nio.file.Path;

import org.jboss.logging.Logger;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
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
                          ExecutionMode executionMode, boolean spinning, Device device) {

        /** One thread each, with serving's defaults for the rest. */
        public static final Options DEFAULT = new Options(1, 1);

        /** Thread counts with the defaults for the rest: all graph optimisations, memory pattern, sequential, CPU. */
        public Options(int intraOpThreads, int interOpThreads) {
            this(intraOpThreads, interOpThreads, OptLevel.ALL_OPT, true, ExecutionMode.SEQUENTIAL, true, Device.CPU);
        }

        /** These settings on {@code other}. */
        public Options on(Device other) {
            return new Options(intraOpThreads, interOpThreads, optimizationLevel, memoryPattern, executionMode,
                    spinning, other);
        }

        /** New ONNX Runtime options with these settings; the caller closes them. */
        OrtSession.SessionOptions toSessionOptions() throws OrtException {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            try {
                if (device.provider() == Provider.CUDA) {
                    options.addCUDA(device.id());
                }
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

    /** The execution providers a session may ask for; CPU is always there. */
    public enum Provider { CPU, CUDA }

    /**
     * Where a session runs: a provider and its device number (the GPU's, for CUDA).
     */
    public record Device(Provider provider, int id) {

        public static final Device CPU = new Device(Provider.CPU, 0);

        @Override
        public String toString() {
            return provider == Provider.CPU ? "CPU" : provider + " device " + id;
        }
    }

    private static final Logger LOG = Logger.getLogger(OnnxSessions.class);

    private OnnxSessions() {
    }

    /** The process-wide ONNX Runtime environment the sessions belong to, for creating their input tensors. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Opens the ONNX model in {@code file} on the options' device, or on the CPU with a warning when that device
     * cannot be used (a build without its provider, no driver or no such GPU), and says which it got.
     */
    public static OrtSession open(Path file, Options options) throws OrtException {
        if (options.device().provider() != Provider.CPU) {
            String why = unavailable(options.device());
            if (why == null) {
                try {
                    return create(file, options);
                } catch (OrtException e) {
                    why = e.getMessage();
                }
            }
            LOG.warnf("ONNX Runtime session for %s on CPU, not %s: %s", file, options.device(), why);
            return create(file, options.on(Device.CPU));
        }
        return create(file, options);
    }

    private static OrtSession create(Path file, Options options) throws OrtException {
        // first: adding the CUDA provider to the options logs through the environment's logger
        OrtEnvironment environment = environment();
        try (OrtSession.SessionOptions sessionOptions = options.toSessionOptions()) {
            OrtSession session = environment.createSession(file.toString(), sessionOptions);
            LOG.infof("ONNX Runtime session for %s on %s", file, options.device());
            return session;
        }
    }

    /** Why {@code device} cannot be asked for in this build, or null if its provider is in it. */
    private static String unavailable(Device device) {
        OrtProvider provider = switch (device.provider()) {
            case CUDA -> OrtProvider.CUDA;
            case CPU -> OrtProvider.CPU;
        };
        return OrtEnvironment.getAvailableProviders().contains(provider) ? null
                : "this ONNX Runtime build has no " + device.provider() + " provider (the GPU build is the"
                        + " gpu-inference Maven profile's)";
    }

    /** Opens a serialised ONNX model. */
    public static OrtSession open(byte[] model, Options options) throws OrtException {
        try (OrtSession.SessionOptions sessionOptions = options.toSessionOptions()) {
            return environment().createSession(model, sessionOptions);
        }
    }
}
