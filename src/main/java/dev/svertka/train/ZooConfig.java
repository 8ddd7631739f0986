package dev.svertka.train;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where DL4J model-zoo bases ({@code --base zoo:NAME}) find their pretrained weights ({@code svertka.zoo.*}). */
@ConfigMapping(prefix = "svertka.zoo")
public interface ZooConfig {

    /**
     * DL4J's resource directory, holding {@code models/<model>/<file>}; unset: DL4J's own
     * ({@code -Dorg.deeplearning4j.resources.directory}, else {@code ~/.deeplearning4j}).
     */
    Optional<Path> cacheDir();

    /** Whether pretrained weights missing from the cache are downloaded (false for offline machines). */
    @WithDefault("true")
    boolean download();

    /** A mirror of DL4J's download site (the zoo's paths below it); unset: DL4J's. */
    Optional<String> baseUrl();
}
