package dev.svertka.onnx;

import static dev.svertka.onnx.SmallNetworks.NO_METADATA;
import static dev.svertka.onnx.SmallNetworks.network;
import static dev.svertka.onnx.SmallNetworks.softmaxOutput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;

import dev.svertka.card.InputShape;

/** Anything without an exact ONNX translation is refused, naming the layer, rather than exported wrongly. */
class UnsupportedLayerTest {

    private static final InputShape GREY = new InputShape(1, 8, 8);

    static Stream<Arguments> unsupported() {
        return Stream.of(
                refused("upsampling", 1, "up", "Upsampling2D", "layer type not supported", conv("conv"),
                        new Upsampling2D.Builder(2).name("up").build(), softmaxOutput()),
                refused("an unsupported layer inside a frozen wrapper", 0, "deconv", "FrozenLayer of Deconvolution2D",
                        "layer type not supported", new FrozenLayer.Builder().layer(
                                new Deconvolution2D.Builder(2, 2).nOut(2).build()).name("deconv").build(),
                        softmaxOutput()),
                refused("p-norm global pooling", 1, "global", "GlobalPoolingLayer", "PNORM",
                        conv("conv"), new GlobalPoolingLayer.Builder(PoolingType.PNORM).name("global").build(),
                        softmaxOutput()),
                refused("LSTM", 1, "lstm", "LSTM", "layer type not supported",
                        conv("conv"), new LSTM.Builder().name("lstm").nOut(4).build(),
                        new RnnOutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX).build()),
                refused("a ConvolutionLayer subclass", 0, "deconv", "Deconvolution2D", "layer type not supported",
                        new Deconvolution2D.Builder(2, 2).name("deconv").nOut(2).build(), softmaxOutput()),
                refused("dilated pooling", 1, "pool", "SubsamplingLayer", "dilated",
                        conv("conv"), new SubsamplingLayer.Builder(PoolingType.MAX).name("pool")
                                .kernelSize(2, 2).dilation(2, 2).build(), softmaxOutput()),
                refused("softmax over feature maps", 0, "conv", "ConvolutionLayer", "softmax",
                        new ConvolutionLayer.Builder(3, 3).name("conv").nOut(2).activation(Activation.SOFTMAX)
                                .build(), softmaxOutput()),
                refused("thresholded relu", 0, "dense", "DenseLayer", "relu",
                        new DenseLayer.Builder().name("dense").nOut(4)
                                .activation(new ActivationReLU(6.0, 0.5, 0.0)).build(), softmaxOutput()),
                refused("softmax over maps in an activation layer", 1, "act", "ActivationLayer", "softmax",
                        conv("conv"), new ActivationLayer.Builder().name("act").activation(Activation.SOFTMAX)
                                .build(), softmaxOutput()),
                refused("layer normalization", 0, "dense", "DenseLayer", "layer normalization",
                        new DenseLayer.Builder().name("dense").nOut(4).hasLayerNorm(true).build(), softmaxOutput()));
    }

    @ParameterizedTest
    @MethodSource("unsupported")
    void refusesNamingTheLayer(Layer[] layers, int index, String name, String type, String problem) {
        MultiLayerNetwork net = network(GREY, 1, layers);

        assertThatThrownBy(() -> OnnxExporter.export(net, GREY, NO_METADATA))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("layer " + index + " '" + name + "' (" + type + ")")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((UnsupportedLayerException) e).layerIndex()).isEqualTo(index));
    }

    @Test
    void refusesAnInputShapeTheNetworkWasNotBuiltFor() {
        MultiLayerNetwork net = network(GREY, 1, conv("conv"), softmaxOutput());

        assertThatThrownBy(() -> OnnxExporter.export(net, new InputShape(1, 10, 10), NO_METADATA))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 1 'out'");
    }

    private static Arguments refused(String description, int index, String name, String type, String problem,
            Layer... layers) {
        return Arguments.of(Named.of(description, layers), index, name, type, problem);
    }

    private static Layer conv(String name) {
        return new ConvolutionLayer.Builder(3, 3).name(name).nOut(2).activation(Activation.RELU).build();
    }
}
