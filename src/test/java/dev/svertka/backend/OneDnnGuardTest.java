package dev.svertka.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Supplier;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import dev.svertka.data.SyntheticDigits;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;

/**
 * What DL4J 1.0.0-M2.1's oneDNN build gets wrong, and that {@link OneDnnHelpers#guard} keeps networks away from it.
 * Each case first shows the failure with oneDNN left on, so the guard is known to be needed, not assumed.
 */
class OneDnnGuardTest {

    @AfterEach
    void helpersBackOn() {
        Nd4j.getEnvironment().allowHelpers(true);
    }

    @Test
    void aDilatedConvolutionFallsBackAndIsCountedThenTheGuardKeepsItOnTheBuiltInPath() {
        Supplier<MultiLayerNetwork> dilated = () -> network(CNN2DFormat.NCHW,
                new ConvolutionLayer.Builder(3, 3).name("dilated").nOut(4).dilation(2, 2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build());
        INDArray images = Nd4j.rand(new int[] {4, 3, 10, 12});
        MultiLayerNetwork reference = BuiltInLayers.build(dilated);
        MultiLayerNetwork unguarded = dilated.get();
        unguarded.setParams(reference.params().dup());
        assertThat(OneDnnHelpers.survey(unguarded.getLayers()).attached()).isEqualTo(1);

        INDArray expected = reference.output(images);
        assertThat(unguarded.output(images)).as("DL4J's own fallback computes it").isEqualTo(expected);
        assertThat(OneDnnHelpers.fallbacks(unguarded.getLayers())).as("the silent fallback, counted").containsExactly("dilated");

        MultiLayerNetwork guarded = dilated.get();
        guarded.setParams(reference.params().dup());
        assertThat(OneDnnHelpers.guard(guarded.getLayers())).hasValue("layer dilated is a dilated convolution");
        assertThat(guarded.output(images)).isEqualTo(expected);
        assertThat(OneDnnHelpers.fallbacks(guarded.getLayers())).as("oneDNN was not even tried").isEmpty();
    }

    @Test
    void aDilatedDepthwiseConvolutionFailsInOneDnnAndRunsWhenGuarded() {
        MultiLayerNetwork network = network(CNN2DFormat.NCHW, new DepthwiseConvolution2D.Builder(3, 3).name("depthwise")
                .depthMultiplier(1).dilation(2, 2).build());
        INDArray images = Nd4j.rand(new int[] {2, 3, 10, 12});
        if (OneDnnHelpers.inNatives()) {
            assertThatThrownBy(() -> network.output(images)).rootCause()
                    .hasMessageContaining("could not create a descriptor for a dilated convolution");
        }
        assertThat(OneDnnHelpers.guard(network.getLayers())).hasValue("layer depthwise is a dilated convolution");
        assertThat(network.output(images).shape()).containsExactly(2, 3);
    }

    @Test
    void aChannelsLastConvolutionOfAStridedViewIsWrongInOneDnnAndRightWhenGuarded() {
        Supplier<MultiLayerNetwork> nhwc = () -> network(CNN2DFormat.NHWC, new ConvolutionLayer.Builder(3, 3)
                .name("nhwc").nOut(4).dataFormat(CNN2DFormat.NHWC).activation(Activation.RELU).build());
        INDArray view = Nd4j.rand(new int[] {4, 3, 10, 12}).permute(0, 2, 3, 1); // NCHW data seen as NHWC
        MultiLayerNetwork reference = BuiltInLayers.build(nhwc);
        MultiLayerNetwork network = nhwc.get();
        network.setParams(reference.params().dup());
        INDArray expected = reference.output(view);
        if (OneDnnHelpers.inNatives()) {
            assertThat(network.output(view).sub(expected).amaxNumber().doubleValue()).as("silently wrong")
                    .isGreaterThan(0.01);
        }
        assertThat(OneDnnHelpers.guard(network.getLayers()))
                .hasValue("layer nhwc is a channels-last (NHWC) convolution");
        assertThat(network.output(view).sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void anOrdinaryNetworkKeepsOneDnn() {
        Nd4j.getEnvironment().allowHelpers(false);
        MultiLayerNetwork seed = Presets.build(SeedCnn.NAME, SyntheticDigits.SHAPE, 10, 1);
        assertThat(OneDnnHelpers.guard(seed.getLayers())).isEmpty();
        assertThat(Nd4j.getEnvironment().helpersAllowed()).isTrue();
    }

    private static MultiLayerNetwork network(CNN2DFormat format, Layer first) {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(first)
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(10, 12, 3, format)).build());
        network.init();
        return network;
    }
}
