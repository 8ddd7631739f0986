package dev.svertka.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;

/** A named network architecture that can be built for a given input and class count. */
public interface Preset {

    String name();

    String description();

    MultiLayerConfiguration configuration(InputShape input, int classes, long seed);
}
