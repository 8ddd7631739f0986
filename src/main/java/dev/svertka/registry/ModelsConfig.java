package dev.svertka.registry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Model announcements: where live versions are published, and whether inference pods follow them. */
@ConfigMapping(prefix = "svertka.models")
public interface ModelsConfig {

    /** The compacted topic of live versions (key: model name). */
    @WithDefault("models")
    String topic();

    /**
     * Whether an inference pod switches to each version announced live for the model it serves. Off, or a
     * {@code svertka.serve.model} of the form {@code name:version}, pins the pod to the version it started with.
     */
    @WithDefault("true")
    boolean follow();
}
