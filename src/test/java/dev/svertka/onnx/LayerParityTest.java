package dev.svertka.onnx;

import static dev.svertka.onnx.SmallNetworks.NO_METADATA;
import static dev.svertka.onnx.SmallNetworks.images;
import static dev.svertka.onnx.SmallNetworks.network;
import static dev.svertka.onnx.SmallNetworks.softmaxOutput;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import dev.svertka.card.InputShape;

/** Each supported layer option, in a small network with random weights, must reproduce DL4J to 1e-4. */
class LayerParityTest {

    /** Odd and unequal sides, so that floor/ceil and asymmetric padding matter. */
    private static final InputShape GREY = new InputShape(1, 11, 9);
    private static final InputShape RGB = new InputShape(3, 10, 12);

    static Stream<Arguments> layerOptions() {
        return Stream.of(
                named("conv stride 2, Same mode", GREY,
                        conv(3, 3).stride(2, 2).convolutionMode(ConvolutionMode.Same).build()),
                named("conv even kernel, Same mode (asymmetric pads)", GREY,
                        conv(4, 2).convolutionMode(ConvolutionMode.Same).build()),
                named("conv without bias", GREY, conv(3, 3).hasBias(false).build()),
                named("conv dilation 2, Truncate", GREY, conv(3, 3).dilation(2, 2).build()),
                named("conv dilation 2, stride 2, Same", GREY,
                        conv(3, 3).dilation(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Same).build()),
                named("conv padding and stride, Truncate (floor)", GREY,
                        conv(3, 3).padding(1, 2).stride(2, 3).convolutionMode(ConvolutionMode.Truncate).build()),
                named("conv Strict", GREY,
                        conv(3, 3).padding(1, 1).stride(2, 2).convolutionMode(ConvolutionMode.Strict).build()),
                named("3-channel input", RGB, conv(3, 3).build(), conv(3, 3).stride(2, 2).build()),
                named("max pool with padding", GREY, conv(3, 3).build(),
                        pool(PoolingType.MAX).kernelSize(3, 3).stride(2, 2).padding(1, 1).build()),
                named("max pool Same", GREY, conv(3, 3).build(),
                        pool(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Same).build()),
                named("avg pool", RGB, pool(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build()),
                named("avg pool with padding, counted in divisor", GREY, conv(3, 3).build(),
                        pool(PoolingType.AVG).kernelSize(3, 3).stride(2, 2).padding(1, 1)
                                .avgPoolIncludePadInDivisor(true).build()),
                named("avg pool with padding, not counted in divisor", GREY, conv(3, 3).build(),
                        pool(PoolingType.AVG).kernelSize(3, 3).stride(2, 2).padding(1, 1)
                                .avgPoolIncludePadInDivisor(false).build()),
                named("avg pool Same", GREY, conv(3, 3).build(),
                        pool(PoolingType.AVG).kernelSize(3, 3).stride(2, 2).convolutionMode(ConvolutionMode.Same)
                                .avgPoolIncludePadInDivisor(false).build()),
                named("dense layers, dropout layer and dropout on a layer", RGB,
                        new DenseLayer.Builder().nOut(16).activation(Activation.RELU).dropOut(0.5).build(),
                        new DropoutLayer.Builder(0.7).build(),
                        new DenseLayer.Builder().nOut(8).hasBias(false).activation(Activation.TANH).build()),
                named("output layer without bias, identity activation", GREY, conv(3, 3).build(),
                        new OutputLayer.Builder(LossFunction.MSE).nOut(SmallNetworks.CLASSES).hasBias(false)
                                .activation(Activation.IDENTITY).build()));
    }

    @ParameterizedTest
    @MethodSource("layerOptions")
    void layerOptionMatchesDl4j(InputShape input, Layer[] layers) throws Exception {
        assertParity(input, CNN2DFormat.NCHW, withOutput(layers));
    }

    static Stream<IActivation> activations() {
        // caps low enough that random activations reach them
        return Stream.of(new ActivationReLU(), new ActivationReLU(0.3, null, null), new ActivationReLU6(),
                new ActivationLReLU(0.2), new ActivationELU(0.7), new ActivationSigmoid(), new ActivationTanH(),
                new ActivationIdentity());
    }

    @ParameterizedTest
    @MethodSource("activations")
    void activationOnConvolutionMatchesDl4j(IActivation activation) throws Exception {
        assertParity(GREY, CNN2DFormat.NCHW, conv(3, 3).activation(activation).build(), softmaxOutput());
    }

    @ParameterizedTest
    @MethodSource({"activations", "softmax"})
    void activationOnDenseMatchesDl4j(IActivation activation) throws Exception {
        assertParity(GREY, CNN2DFormat.NCHW,
                new DenseLayer.Builder().nOut(12).activation(activation).build(), softmaxOutput());
    }

    static Stream<IActivation> softmax() {
        return Stream.of(new ActivationSoftmax());
    }

    @Test
    void channelsLastNetworkIsFlattenedInDl4jOrder() throws Exception {
        assertParity(RGB, CNN2DFormat.NHWC,
                conv(3, 3).dataFormat(CNN2DFormat.NHWC).build(),
                pool(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).dataFormat(CNN2DFormat.NHWC).build(),
                softmaxOutput());
    }

    private static void assertParity(InputShape input, CNN2DFormat format, Layer... layers) throws Exception {
        MultiLayerNetwork net = network(input, format, 3, layers);
        byte[] model = OnnxExporter.export(net, input, NO_METADATA);

        ParityReport report = ParityCheck.compare(net, model, images(input, 16, 4));

        assertThat(report.maxAbsDiff()).isLessThanOrEqualTo(1e-4);
        assertThat(report.argmaxMismatches()).isZero();
    }

    private static Layer[] withOutput(Layer[] layers) {
        if (layers[layers.length - 1] instanceof OutputLayer) {
            return layers;
        }
        return Stream.concat(Stream.of(layers), Stream.of(softmaxOutput())).toArray(Layer[]::new);
    }

    private static Arguments named(String name, InputShape input, Layer... layers) {
        return Arguments.of(input, Named.of(name, layers));
    }

    private static ConvolutionLayer.Builder conv(int kernelHeight, int kernelWidth) {
        return new ConvolutionLayer.Builder(kernelHeight, kernelWidth).nOut(4).activation(Activation.RELU);
    }

    private static SubsamplingLayer.Builder pool(PoolingType type) {
        return new SubsamplingLayer.Builder(type);
    }
}
