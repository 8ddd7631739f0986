package dev.svertka.onnx;

import static dev.svertka.onnx.SmallNetworks.NO_METADATA;
import static dev.svertka.onnx.SmallNetworks.images;
import static dev.svertka.onnx.SmallNetworks.network;
import static dev.svertka.onnx.SmallNetworks.softmaxOutput;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import dev.svertka.card.InputShape;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

/**
 * Batch normalization, global pooling, depthwise and separable convolutions, 1-D networks and frozen layers,
 * each with random weights, random running statistics and random inputs, must reproduce DL4J to 1e-4.
 */
class CnnLayerParityTest {

    private static final InputShape GREY = new InputShape(1, 11, 9);
    private static final InputShape RGB = new InputShape(3, 10, 12);

    static Stream<Arguments> layerKinds() {
        return Stream.of(
                named("batch norm on maps (log10 std)", GREY, conv(), new BatchNormalization.Builder().build(),
                        softmaxOutput()),
                named("batch norm on maps (variance), eps 1e-3", GREY, conv(),
                        new BatchNormalization.Builder().useLogStd(false).eps(1e-3).build(), softmaxOutput()),
                named("batch norm with locked gamma and beta", RGB, conv(),
                        new BatchNormalization.Builder().lockGammaBeta(true).gamma(1.7).beta(-0.3).build(),
                        softmaxOutput()),
                named("batch norm on dense features", GREY, new DenseLayer.Builder().nOut(12).build(),
                        new BatchNormalization.Builder().build(), softmaxOutput()),
                named("batch norm on NHWC maps", CNN2DFormat.NHWC, RGB,
                        conv().dataFormat(CNN2DFormat.NHWC).build(),
                        new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).build(), softmaxOutput()),
                named("global average pooling", RGB, conv(), new GlobalPoolingLayer.Builder(PoolingType.AVG).build(),
                        softmaxOutput()),
                named("global max pooling", GREY, conv(), new GlobalPoolingLayer.Builder(PoolingType.MAX).build(),
                        softmaxOutput()),
                named("global pooling without collapsing", GREY, conv(),
                        new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false).build(),
                        softmaxOutput()),
                named("depthwise conv, multiplier 2, Same, stride 2", RGB,
                        new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2).stride(2, 2)
                                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(),
                        softmaxOutput()),
                named("depthwise conv without bias, dilation 2", RGB,
                        new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).dilation(2, 2).hasBias(false)
                                .build(), softmaxOutput()),
                named("separable conv, multiplier 2", RGB,
                        new SeparableConvolution2D.Builder(3, 3).depthMultiplier(2).nOut(5)
                                .activation(Activation.ELU).build(), softmaxOutput()),
                named("separable conv Same, without bias", RGB,
                        new SeparableConvolution2D.Builder(3, 3).depthMultiplier(1).nOut(4).hasBias(false)
                                .convolutionMode(ConvolutionMode.Same).build(), softmaxOutput()),
                named("zero padding, asymmetric", RGB, new ZeroPaddingLayer(1, 2, 0, 3), conv(), softmaxOutput()),
                named("cropping, asymmetric", RGB, conv(), new Cropping2D(1, 0, 2, 1), softmaxOutput()),
                named("LRN n=5, k=2 (AlexNet's)", RGB, conv().nOut(7),
                        new LocalResponseNormalization.Builder().k(2).n(5).alpha(0.5).beta(0.75).build(),
                        softmaxOutput()),
                named("LRN even n=4, k=1", RGB, conv().nOut(7),
                        new LocalResponseNormalization.Builder().k(1).n(4).alpha(0.3).beta(0.5).build(),
                        softmaxOutput()),
                named("activation layer relu6 after batch norm", RGB, conv().activation(Activation.IDENTITY),
                        new BatchNormalization.Builder().build(), new ActivationLayer(Activation.RELU6),
                        softmaxOutput()),
                named("p-norm pooling, Same, stride 2", RGB, conv(),
                        new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(2).kernelSize(3, 3).stride(2, 2)
                                .convolutionMode(ConvolutionMode.Same).build(), softmaxOutput()),
                named("center loss output layer", GREY, conv(),
                        new CenterLossOutputLayer.Builder().lossFunction(LossFunction.MCXENT).nOut(5)
                                .activation(Activation.SOFTMAX).build()),
                named("softmax activation layer and loss layer after global pooling (Darknet19's head)", RGB, conv(),
                        new GlobalPoolingLayer.Builder(PoolingType.AVG).build(),
                        new ActivationLayer(Activation.SOFTMAX),
                        new LossLayer.Builder(LossFunction.MCXENT).activation(Activation.IDENTITY).build()),
                named("frozen conv and frozen-with-backprop dense", GREY,
                        new FrozenLayer.Builder().layer(conv().build()).build(),
                        new FrozenLayerWithBackprop(new DenseLayer.Builder().nOut(8)
                                .activation(Activation.TANH).build()),
                        softmaxOutput()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layerKinds")
    void layerKindMatchesDl4j(String kind, CNN2DFormat format, InputShape input, Layer[] layers) throws Exception {
        MultiLayerNetwork net = network(input, format, 5, layers);

        assertParity(kind, net, OnnxExporter.export(net, input, NO_METADATA), input);
    }

    static Stream<Arguments> sequenceNetworks() {
        return Stream.of(
                Arguments.of("conv1d, max pool 1d, global max", new Layer[] {
                        new Convolution1DLayer.Builder(3).nOut(6).activation(Activation.RELU).build(),
                        new Subsampling1DLayer.Builder(PoolingType.MAX).kernelSize(2).stride(2).build(),
                        new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), softmaxOutput()}),
                Arguments.of("conv1d Same dilation 2, avg pool 1d, global avg",
                        new Layer[] {
                                new Convolution1DLayer.Builder(3).nOut(6).dilation(2)
                                        .convolutionMode(ConvolutionMode.Same).activation(Activation.LEAKYRELU).build(),
                                new Subsampling1DLayer.Builder(PoolingType.AVG).kernelSize(2).stride(2).build(),
                                new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), softmaxOutput()}),
                Arguments.of("causal conv1d without bias", new Layer[] {
                        new Convolution1DLayer.Builder(4).nOut(5).hasBias(false)
                                .convolutionMode(ConvolutionMode.Causal).build(),
                        new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), softmaxOutput()}));
    }

    /** A 1-D network reads each image as W steps of C*H features: its input type is a sequence. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sequenceNetworks")
    void sequenceNetworkMatchesDl4j(String kind, Layer[] layers) throws Exception {
        var list = new NeuralNetConfiguration.Builder().seed(3).weightInit(WeightInit.XAVIER).list();
        for (Layer layer : layers) {
            list.layer(layer);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.setInputType(
                InputType.recurrent((long) RGB.channels() * RGB.height(), RGB.width())).build());
        net.init();
        SmallNetworks.randomizeBiasesAndStatistics(net.paramTable(), 3);

        byte[] model = OnnxExporter.export(net, RGB, NO_METADATA);

        assertThat(ModelProto.parseFrom(model).getGraph().getNode(0).getOpType()).isEqualTo("Reshape");
        assertParity(kind, net, model, RGB);
    }

    /** VGG16 declares flat input and turns it into maps with a FeedForwardToCnnPreProcessor, which images skip. */
    @Test
    void flatInputTypeTakesImages() throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(6)
                .weightInit(WeightInit.XAVIER).list().layer(conv().build()).layer(softmaxOutput())
                .setInputType(InputType.convolutionalFlat(RGB.height(), RGB.width(), RGB.channels())).build());
        net.init();

        assertThat(net.getLayerWiseConfigurations().getInputPreProcess(0))
                .isInstanceOf(FeedForwardToCnnPreProcessor.class);
        assertParity("flat input type", net, OnnxExporter.export(net, RGB, NO_METADATA), RGB);
    }

    /** Flat features turned back into maps: a row-major reshape to [C, H, W]. */
    @Test
    void featuresReshapedToMapsMatchDl4j() throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(6)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nOut(3 * 4 * 5).activation(Activation.TANH).build())
                .layer(conv().build())
                .inputPreProcessor(1, new FeedForwardToCnnPreProcessor(4, 5, 3))
                .layer(softmaxOutput())
                .setInputType(InputType.convolutional(GREY.height(), GREY.width(), GREY.channels())).build());
        net.init();
        SmallNetworks.randomizeBiasesAndStatistics(net.paramTable(), 6);
        byte[] model = OnnxExporter.export(net, GREY, NO_METADATA);

        assertThat(ModelProto.parseFrom(model).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .containsSubsequence("Gemm", "Tanh", "Reshape", "Conv");
        assertParity("features reshaped to maps", net, model, GREY);
    }

    @Test
    void frozenWrappersLeaveNoTraceInTheGraph() throws Exception {
        MultiLayerNetwork net = network(GREY, 5, new FrozenLayer.Builder().layer(conv().build()).build(),
                softmaxOutput());

        assertThat(ModelProto.parseFrom(OnnxExporter.export(net, GREY, NO_METADATA)).getGraph().getNodeList())
                .extracting(NodeProto::getOpType).containsExactly("Conv", "Relu", "Flatten", "Gemm", "Softmax");
    }

    static void assertParity(String kind, MultiLayerNetwork net, byte[] model, InputShape input) throws Exception {
        ParityReport report = ParityCheck.compare(net, model, images(input, 16, 4));

        System.out.printf("parity %s: max abs diff %.3g over %d images%n", kind, report.maxAbsDiff(), report.samples());
        assertThat(report.maxAbsDiff()).isLessThanOrEqualTo(1e-4);
        assertThat(report.argmaxMismatches()).isZero();
    }

    private static ConvolutionLayer.Builder conv() {
        return new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU);
    }

    private static Arguments named(String name, InputShape input, Object... layers) {
        return named(name, CNN2DFormat.NCHW, input, layers);
    }

    private static Arguments named(String name, CNN2DFormat format, InputShape input, Object... layers) {
        Layer[] built = Stream.of(layers).map(l -> l instanceof ConvolutionLayer.Builder b ? b.build() : (Layer) l)
                .toArray(Layer[]::new);
        return Arguments.of(name, format, input, built);
    }
}
