package dev.svertka.model;

import dev.svertka.card.InputShape;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;

/** A named network architecture that can be built for a given input and class count. */
public interface Preset {

    String name();

    String description();

    MultiLayerConfiguration configuration(InputShape input, int classes, long seed);

    /** How the network reads an input of this shape: an image (NCHW) unless the preset says otherwise. */
    default InputType inputType(InputShape input) {
        return InputType.convolutional(input.height(), input.width(), input.channels());
    }
}
