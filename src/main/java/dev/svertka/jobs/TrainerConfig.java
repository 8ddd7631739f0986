package dev.svertka.jobs;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The trainer role's settings ({@code svertka.trainer.*}). */
@ConfigMapping(prefix = "svertka.trainer")
public interface TrainerConfig {

    /** The bearer token every API call must carry; without one configured the API refuses all calls. */
    Optional<String> token();

    /**
     * Whether a successful job makes its version live and announces it on the models topic, so that
     * inference pods following the topic switch to it.
     */
    @WithDefault("true")
    boolean announce();

    /** Where jobs that name no run directory write theirs: {@code <runs>/<job id>}. */
    @WithDefault("runs")
    String runs();

    /** Jobs the service remembers; beyond that the oldest finished ones are forgotten. */
    @WithDefault("100")
    int maxJobs();

    /** Log lines (and replayable events) each job keeps, the most recent ones. */
    @WithDefault("1000")
    int maxLogLines();
}
