package dev.svertka.onnx;

import static dev.svertka.onnx.SmallNetworks.NO_METADATA;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.zoo.InstantiableModel;
import org.deeplearning4j.zoo.model.AlexNet;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.FaceNetNN4Small2;
import org.deeplearning4j.zoo.model.InceptionResNetV1;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.Xception;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

import dev.svertka.card.InputShape;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

/**
 * Whole backbones, exported and run against DL4J at their real input sizes on a batch of 2 random images
 * ({@link ParityCheck#verify}: max |DL4J - ORT| within {@link ParityCheck#TOLERANCE}, same argmax). All use
 * random weights: no ImageNet weights can be fetched offline. Parity checks the translated maths, which does
 * not depend on the weights' values; biases and batch-norm scales are randomised too, and every batch norm is
 * calibrated to the scale of its input, as training would leave it, so that activations neither vanish nor
 * explode through fifty layers. Each network is closed before the next is built.
 *
 * <p>Measured on a shared 2-core machine: VGG16 (134M parameters) takes 50-75 s and 3.8 GB resident on its own;
 * Xception at 299x299 takes about 90 s, over the minute aimed at, as DL4J's separable convolutions are slow on
 * the CPU. The others take 1-40 s.
 *
 * <p>NASNet is left out: DL4J 1.0.0-M2.1 cannot build it ("Cannot calculate activation types if no inputs have
 * been set", from NASNetHelper), so there is nothing to export.
 */
class BackboneParityIT {

    private static final int CLASSES = 10;
    private static final long SEED = 7;
    private static final InputShape RGB_224 = new InputShape(3, 224, 224);
    /** Random weights leave some channels all but zero; calibrated to that, a batch norm would amplify noise. */
    private static final double MIN_VARIANCE = 1e-2;

    static Stream<Arguments> zooModels() {
        InputShape rgb227 = new InputShape(3, 227, 227);
        InputShape rgb299 = new InputShape(3, 299, 299);
        InputShape rgb160 = new InputShape(3, 160, 160);
        InputShape rgb96 = new InputShape(3, 96, 96);
        return Stream.of(
                zoo("ResNet50", RGB_224, shape -> ResNet50.builder().numClasses(CLASSES).inputShape(shape).build(),
                        "Pad", "Conv", "BatchNormalization", "Relu", "MaxPool", "Sum", "Flatten", "Gemm", "Softmax"),
                zoo("VGG16", RGB_224, shape -> VGG16.builder().numClasses(CLASSES).inputShape(shape).build(),
                        "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Softmax"),
                zoo("SqueezeNet", rgb227, shape -> SqueezeNet.builder().numClasses(CLASSES).inputShape(shape).build(),
                        "Conv", "Sigmoid", "Relu", "MaxPool", "Concat", "GlobalAveragePool", "Softmax"),
                zoo("Darknet19", RGB_224, shape -> Darknet19.builder().numClasses(CLASSES).inputShape(shape).build(),
                        "Conv", "BatchNormalization", "LeakyRelu", "MaxPool", "GlobalAveragePool", "Softmax"),
                zoo("Xception", rgb299, shape -> Xception.builder().numClasses(CLASSES).inputShape(shape).build(),
                        "Conv", "BatchNormalization", "Relu", "MaxPool", "Sum", "GlobalAveragePool", "Gemm", "Softmax"),
                zoo("AlexNet", RGB_224, shape -> AlexNet.builder().numClasses(CLASSES).inputShape(shape).build(),
                        "Conv", "Relu", "LRN", "MaxPool", "Flatten", "Gemm", "Softmax"),
                zoo("InceptionResNetV1", rgb160,
                        shape -> InceptionResNetV1.builder().numClasses(CLASSES).inputShape(shape).build(),
                        "Conv", "BatchNormalization", "Concat", "Mul", "Sum", "AveragePool", "ReduceL2", "Div",
                        "Softmax"),
                zoo("FaceNetNN4Small2", rgb96,
                        shape -> FaceNetNN4Small2.builder().numClasses(CLASSES).inputShape(shape).build(),
                        "Conv", "BatchNormalization", "LRN", "LpPool", "Concat", "ReduceL2", "Div", "Softmax"));
    }

    /** A zoo model at its real (or default) input size, random weights: no ImageNet weights can be fetched offline. */
    @ParameterizedTest(name = "{0}, random weights")
    @MethodSource("zooModels")
    void zooModelWithRandomWeightsExportsWithParity(String kind, InputShape input,
            Function<int[], InstantiableModel> zoo, String[] ops) throws Exception {
        assertParity(kind, input, zoo.apply(new int[] {input.channels(), input.height(), input.width()}).init(), ops);
    }

    /** The whole MobileNetV2 as Keras import builds it, random weights: no ImageNet weights can be fetched offline. */
    @Test
    void kerasImportedMobileNetV2WithRandomWeights() throws Exception {
        ComputationGraph net = new ComputationGraph(new MobileNetV2(RGB_224).build());
        net.init();
        assertParity("MobileNetV2 (Keras import's NHWC layers) 3x224x224", RGB_224, net,
                "Pad", "Conv", "BatchNormalization", "Clip", "Sum", "GlobalAveragePool", "Gemm", "Softmax");
    }

    /** A skip connection cropped to a valid convolution's output, as U-Net-like Keras models do. */
    @Test
    void croppedSkipConnectionWithRandomWeights() throws Exception {
        GraphBuilder graph = new NeuralNetConfiguration.Builder().seed(SEED).weightInit(WeightInit.RELU)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(RGB_224.height(), RGB_224.width(), RGB_224.channels()))
                .addLayer("stem", new ConvolutionLayer.Builder(3, 3).nOut(16).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(), "input")
                .addLayer("valid", new ConvolutionLayer.Builder(5, 3).nOut(16).activation(Activation.RELU).build(),
                        "stem")
                .addLayer("cropped", new Cropping2D(1, 3, 0, 2), "stem")
                .addVertex("skip", new ElementWiseVertex(ElementWiseVertex.Op.Add), "valid", "cropped")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "skip")
                .addLayer("out", output(), "pool")
                .setOutputs("out");
        ComputationGraph net = new ComputationGraph(graph.build());
        net.init();
        assertParity("cropped skip connection 3x224x224", RGB_224, net, "Conv", "Slice", "Sum", "GlobalAveragePool");
    }

    /**
     * Exports {@code net}, checks that the ONNX graph has the op types {@code ops} and that ONNX Runtime agrees
     * with DL4J; then closes the network, freeing its native memory for the next backbone.
     */
    private static void assertParity(String kind, InputShape input, Model net, String... ops) throws Exception {
        long start = System.nanoTime();
        try {
            INDArray images = SmallNetworks.images(input, 2, SEED);
            SmallNetworks.randomizeBiasesAndStatistics(net.paramTable(), SEED);
            byte[] model;
            ParityReport report;
            if (net instanceof ComputationGraph graph) {
                calibrateBatchNormalization(graph, images);
                model = OnnxExporter.export(graph, input, NO_METADATA);
                report = ParityCheck.verify(graph, model, images);
            } else {
                MultiLayerNetwork layers = (MultiLayerNetwork) net;
                model = OnnxExporter.export(layers, input, NO_METADATA);
                report = ParityCheck.verify(layers, model, images);
            }
            System.out.printf("backbone parity %s: max abs diff %.3g over %d images, %.1f s, %d params%n", kind,
                    report.maxAbsDiff(), report.samples(), (System.nanoTime() - start) / 1e9, net.numParams());
            assertThat(ModelProto.parseFrom(model).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                    .contains(ops);
            assertThat(report.maxAbsDiff()).isLessThanOrEqualTo(ParityCheck.TOLERANCE);
            assertThat(report.argmaxMismatches()).isZero();
        } finally {
            net.close();
        }
    }

    /**
     * Sets each batch norm's running variance to the mean square of its input on {@code images}, taken in one
     * training-mode pass (where every batch norm normalises by the batch's own statistics), and scales its random
     * running mean by the root of that. Centring on the actual mean instead makes these random networks chaotic:
     * float rounding grew from 1e-6 to over 1e-4 through ResNet50's stages, with no single layer to blame.
     */
    private static void calibrateBatchNormalization(ComputationGraph net, INDArray images) {
        Map<String, INDArray> activations = net.feedForward(OnnxExporter.networkInput(net).toDl4j(images), true);
        net.getConfiguration().getVertices().forEach((name, vertex) -> {
            if (vertex instanceof LayerVertex layer
                    && layer.getLayerConf().getLayer() instanceof BatchNormalization conf) {
                INDArray in = activations.get(net.getConfiguration().getVertexInputs().get(name).get(0));
                int[] dimensions = in.rank() == 2 ? new int[] {0}
                        : conf.getCnn2DFormat() == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
                INDArray meanSquare = Transforms.max(in.mul(in).mean(dimensions), MIN_VARIANCE, false);
                INDArray rms = Transforms.sqrt(meanSquare, true);
                org.deeplearning4j.nn.api.Layer params = net.getLayer(name);
                params.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).muli(rms);
                if (conf.isUseLogStd()) {
                    params.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                            .assign(Transforms.log(rms, 10, false));
                } else {
                    params.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).assign(meanSquare);
                }
            }
        });
    }

    private static Arguments zoo(String name, InputShape input, Function<int[], InstantiableModel> zoo,
            String... ops) {
        return Arguments.of(name + " " + input.channels() + "x" + input.height() + "x" + input.width(), input, zoo,
                ops);
    }

    private static OutputLayer output() {
        return new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build();
    }

    /**
     * MobileNetV2 (width 1.0) as DL4J's Keras import turns keras.applications' model into a graph: NHWC layers;
     * stride-2 convolutions after an explicit ZeroPadding2D of one pixel bottom and right with valid padding,
     * stride-1 ones Same; ReLU(6.) as an activation layer of a capped ReLU; batch norm with Keras's eps 1e-3 over a
     * stored variance; inverted residual blocks of a 1x1 expansion, a 3x3 depthwise convolution and a linear 1x1
     * projection, added to their input where the shape allows.
     */
    private static final class MobileNetV2 {

        /** (expansion, output channels, repeats, first stride) of each stage, from the MobileNetV2 paper. */
        private static final int[][] STAGES = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

        private final GraphBuilder graph;

        MobileNetV2(InputShape input) {
            graph = new NeuralNetConfiguration.Builder().seed(SEED).weightInit(WeightInit.XAVIER).graphBuilder()
                    .addInputs("input")
                    .setInputTypes(InputType.convolutional(input.height(), input.width(), input.channels(),
                            CNN2DFormat.NHWC));
        }

        ComputationGraphConfiguration build() {
            String x = convolution("Conv1", "input", 32, 3, 2);
            int channels = 32;
            int block = 0;
            for (int[] stage : STAGES) {
                for (int repeat = 0; repeat < stage[2]; repeat++) {
                    x = invertedResidual("block_" + block++, x, channels, stage[0], stage[1],
                            repeat == 0 ? stage[3] : 1);
                    channels = stage[1];
                }
            }
            x = convolution("Conv_1", x, 1280, 1, 1);
            graph.addLayer("global_average_pooling2d", new GlobalPoolingLayer.Builder(PoolingType.AVG)
                    .build(), x);
            graph.addLayer("Logits", output(), "global_average_pooling2d");
            return graph.setOutputs("Logits").build();
        }

        private String invertedResidual(String name, String input, int channels, int expansion, int outputs,
                int stride) {
            String x = expansion == 1 ? input : convolution(name + "_expand", input, channels * expansion, 1, 1);
            x = normalizedRelu6(name + "_depthwise", x, new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1)
                    .dataFormat(CNN2DFormat.NHWC), stride);
            x = layer(name + "_project_BN", batchNormalization(), layer(name + "_project",
                    new ConvolutionLayer.Builder(1, 1).nOut(outputs).hasBias(false)
                            .activation(Activation.IDENTITY).dataFormat(CNN2DFormat.NHWC).build(), x));
            if (stride == 1 && channels == outputs) {
                graph.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), input, x);
                return name + "_add";
            }
            return x;
        }

        private String convolution(String name, String input, int outputs, int kernel, int stride) {
            return normalizedRelu6(name, input,
                    new ConvolutionLayer.Builder(kernel, kernel).nOut(outputs).dataFormat(CNN2DFormat.NHWC), stride);
        }

        /**
         * A convolution without bias, batch norm and ReLU(6.). Strided ones are valid after Keras's correct_pad
         * for even sizes (one pixel at the bottom and right); the others are Same.
         */
        private String normalizedRelu6(String name, String input, ConvolutionLayer.BaseConvBuilder<?> convolution,
                int stride) {
            String in = input;
            ConvolutionMode mode = ConvolutionMode.Same;
            if (stride == 2) {
                in = layer(name + "_pad", new ZeroPaddingLayer.Builder(0, 1, 0, 1).dataFormat(CNN2DFormat.NHWC)
                        .build(), input);
                mode = ConvolutionMode.Truncate;
            }
            Layer conv = convolution.stride(stride, stride).convolutionMode(mode).hasBias(false)
                    .activation(Activation.IDENTITY).build();
            String normalized = layer(name + "_BN", batchNormalization(), layer(name, conv, in));
            return layer(name + "_relu", new ActivationLayer(new ActivationReLU(6.0, 0.0, 0.0)), normalized);
        }

        private static BatchNormalization batchNormalization() {
            return new BatchNormalization.Builder().eps(1e-3).useLogStd(false).dataFormat(CNN2DFormat.NHWC).build();
        }

        private String layer(String name, Layer layer, String input) {
            graph.addLayer(name, layer, input);
            return name;
        }
    }
}
