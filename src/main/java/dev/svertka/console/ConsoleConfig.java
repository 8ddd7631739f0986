package dev.svertka.console;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The web console's settings ({@code svertka.console.*}). */
@ConfigMapping(prefix = "svertka.console")
public interface ConsoleConfig {

    /**
     * Base URLs of inference pods whose {@code /q/metrics} the serving page shows, besides this process when it
     * serves (the demo).
     */
    Optional<List<String>> pods();

    /** How long the serving page waits for the models topic or a pod. */
    @WithDefault("3s")
    Duration patience();
}
