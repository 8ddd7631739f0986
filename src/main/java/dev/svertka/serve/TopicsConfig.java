package dev.svertka.serve;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Topic names; the channels in {@code application.properties} read the same keys. */
@ConfigMapping(prefix = "svertka.topics")
public interface TopicsConfig {

    @WithDefault("images")
    String images();

    @WithDefault("predictions")
    String predictions();

    @WithDefault("images-dlq")
    String deadLetters();
}
