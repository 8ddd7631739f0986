package dev.svertka.serve;

import java.time.Duration;
import java.util.Optional;

import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.svertka.runtime.OnnxSessions;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Inference settings, from {@code application.properties} (or SVERTKA_SERVE_* environment variables). */
@ConfigMapping(prefix = "svertka.serve")
public interface ServeConfig {

    /** The model to serve, {@code name} or {@code name:version}. */
    Optional<String> model();

    /**
     * Root of the model registry, for every role: the served model and the versions announced live come from it,
     * trainer jobs that name no registry store into it (one bean, {@link ConfiguredRegistry}).
     */
    @WithDefault("registry")
    String registry();

    /** How many classes each prediction lists. */
    @WithDefault("3")
    int topK();

    /**
     * Most images in one ONNX Runtime run: the most records one poll of the images topic returns. A batch
     * is whatever has arrived, so nothing waits for one to fill; under load batches grow by themselves.
     */
    @WithDefault("256")
    int maxBatchSize();

    /**
     * Largest input tensor of one ONNX Runtime run: a larger batch is classified in several runs. Keeps photo
     * batches cache-sized (8 MiB is 13 images at 224x224 RGB) and leaves small ones whole (28x28: 2,674).
     */
    @WithDefault("8M")
    MemorySize maxRunInput();

    /** ONNX Runtime intra-op threads per session. */
    @WithDefault("1")
    int intraOpThreads();

    /** ONNX Runtime inter-op threads (only used in the PARALLEL execution mode). */
    @WithDefault("1")
    int interOpThreads();

    /** ONNX Runtime graph optimisation level: NO_OPT, BASIC_OPT, EXTENDED_OPT or ALL_OPT. */
    @WithDefault("ALL_OPT")
    OptLevel optimizationLevel();

    /** ONNX Runtime memory pattern optimisation (pre-plans allocations for a repeated input shape). */
    @WithDefault("true")
    boolean memoryPattern();

    /** ONNX Runtime execution mode: SEQUENTIAL (small CNNs are one chain of ops) or PARALLEL. */
    @WithDefault("SEQUENTIAL")
    ExecutionMode executionMode();

    /**
     * Whether ONNX Runtime's pool threads spin while waiting for work (with more than one thread):
     * faster hand-offs, but the spinning takes cores that the Kafka clients and the broker need.
     */
    @WithDefault("true")
    boolean spinning();

    /** Largest accepted payload in bytes; larger ones are dead-lettered. */
    @WithDefault("4194304")
    int maxPayloadBytes();

    /** Largest accepted image, in pixels, read from the header before decoding. */
    @WithDefault("16777216")
    long maxPixels();

    /** The share of the maximum heap that images being decoded may take together, unless decode-memory says. */
    double DECODE_SHARE_OF_HEAP = 0.4;

    /**
     * Heap that images being decoded (Kafka and HTTP together) may take at once, e.g. {@code 400M}; also the most
     * one image may take: a larger picture is read subsampled. Default: 40% of the maximum heap ({@code -Xmx}).
     */
    Optional<MemorySize> decodeMemory();

    /** How long {@code POST /predict} waits for decode memory before answering 503 with Retry-After. */
    @WithDefault("2s")
    Duration decodeWait();

    /** The producer of predictions and dead letters. */
    Producer producer();

    /**
     * Threads that decode one batch's images together, the consumer's own among them; 0: one per core. Photos take
     * milliseconds each to decode and resize, as long as a small network's inference.
     */
    @WithDefault("0")
    int decodeThreads();

    /**
     * Where sessions run: CPU, or CUDA with the GPU build (Maven profile gpu-inference, the inference-gpu image);
     * a session falls back to the CPU, with a warning, when the GPU cannot be used.
     */
    @WithDefault("CPU")
    OnnxSessions.Provider executionProvider();

    /** The GPU a CUDA session runs on. */
    @WithDefault("0")
    int deviceId();

    /** The ONNX Runtime session options configured here, as serving (and the checks of what it serves) use them. */
    default OnnxSessions.Options sessionOptions() {
        return new OnnxSessions.Options(intraOpThreads(), interOpThreads(), optimizationLevel(), memoryPattern(),
                executionMode(), spinning(), new OnnxSessions.Device(executionProvider(), deviceId()));
    }

    interface Producer {

        /** How long a send may wait for more records to share its request. */
        @WithDefault("1ms")
        Duration linger();

        /** Largest record it sends: above the biggest input, so that one can be dead-lettered whole. */
        @WithDefault("8388608")
        int maxRequestBytes();

        /**
         * Most bytes a partition's batch takes before it is sent. A poll's predictions are sent together: at Kafka's
         * 16 KiB they left in three requests a poll instead of one, and each request also wakes every consumer of
         * the topic for a few records; the broker spent most of its time on requests, not bytes.
         */
        @WithDefault("262144")
        int batchBytes();

        /** Kafka's {@code compression.type} for predictions and dead letters: none, lz4, zstd, snappy or gzip. */
        @WithDefault("none")
        String compression();
    }

    /**
     * How long partitions leaving this instance (revoked in a rebalance, or at shutdown) wait for the batches already
     * taken from them to be published, before their offsets are committed and they are released ({@link
     * HandOverCommit}). A batch still unpublished after it is classified again by the next owner. Below the consumer's
     * {@code max.poll.interval.ms} and, with the shutdown's other steps, the pod's termination grace period.
     */
    @WithDefault("10s")
    Duration handOverWait();

    /** The CloudEvents {@code source} of published predictions. */
    @WithDefault("/svertka/inference")
    String eventSource();
}
