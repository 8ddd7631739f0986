package dev.svertka.serve;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Inference settings, from {@code application.properties} (or SVERTKA_SERVE_* environment variables). */
@ConfigMapping(prefix = "svertka.serve")
public interface ServeConfig {

    /** The model to serve, {@code name} or {@code name:version}. */
    Optional<String> model();

    /** Root of the model registry. */
    @WithDefault("registry")
    String registry();

    /** How many classes each prediction lists. */
    @WithDefault("3")
    int topK();

    /** Most images in one ONNX Runtime run. */
    @WithDefault("64")
    int maxBatchSize();

    /** Longest wait for a batch to fill before running what has arrived. */
    @WithDefault("5ms")
    Duration maxBatchWait();

    /** ONNX Runtime intra-op threads per session. */
    @WithDefault("1")
    int intraOpThreads();

    /** Largest accepted payload in bytes; larger ones are dead-lettered. */
    @WithDefault("4194304")
    int maxPayloadBytes();

    /** Largest accepted image, in pixels, read from the header before decoding. */
    @WithDefault("16777216")
    long maxPixels();
}
