package dev.svertka.onnx;

import static dev.svertka.onnx.OnnxGraph.integer;
import static dev.svertka.onnx.OnnxGraph.ints;
import static dev.svertka.onnx.OnnxGraph.real;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeConvolutional;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.svertka.model.InputShape;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;

/**
 * Writes a trained DL4J {@link MultiLayerNetwork} as an ONNX model for ONNX Runtime: input {@value #INPUT_NAME}
 * float [batch, C, H, W], output {@value #OUTPUT_NAME} float [batch, classes]. Only layers whose inference maths
 * is reproduced exactly are translated; anything else fails with {@link UnsupportedLayerException} rather than
 * exporting a model that silently disagrees with the trained one.
 */
public final class OnnxExporter {

    public static final String INPUT_NAME = "input";
    public static final String OUTPUT_NAME = "probabilities";
    public static final String BATCH_DIM = "batch";
    public static final String PRODUCER = "svertka";
    /** Opset 13 has every op used here; IR 7 is the IR version that came with it, and ORT 1.24 loads it. */
    public static final int OPSET = 13;
    public static final int IR_VERSION = 7;

    /**
     * Matched by exact class, not instanceof: subclasses such as Deconvolution2D or Subsampling1DLayer change
     * the maths. Dropout, on a DropoutLayer or configured on any layer, is the identity at inference.
     */
    private static final List<Class<? extends Layer>> SUPPORTED = List.of(ConvolutionLayer.class,
            SubsamplingLayer.class, DropoutLayer.class, DenseLayer.class, OutputLayer.class);

    private OnnxExporter() {
    }

    /** The serialized ONNX model; {@code metadataProps} go into its metadata_props, sorted by key. */
    public static byte[] export(MultiLayerNetwork net, InputShape input, Map<String, String> metadataProps) {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setDocString("DL4J network exported by Svertka; input " + INPUT_NAME + " float[batch,"
                        + input.channels() + "," + input.height() + "," + input.width() + "] (NCHW), output "
                        + OUTPUT_NAME + " float[batch,classes] class probabilities")
                .setGraph(graph(net, input));
        // Sorted so that the same network and metadata always give byte-identical files (and checksums)
        new TreeMap<>(metadataProps).forEach((key, value) -> model.addMetadataPropsBuilder().setKey(key).setValue(value));
        return model.build().toByteArray();
    }

    /**
     * Exports to {@code target} through a temporary file in the same directory and an atomic move, so a
     * reader watching {@code target} never sees a half-written model.
     */
    public static void export(MultiLayerNetwork net, InputShape input, Map<String, String> metadataProps, Path target)
            throws IOException {
        byte[] model = export(net, input, metadataProps);
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, target.getFileName().toString(), ".tmp");
        try {
            Files.write(temporary, model);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static GraphProto graph(MultiLayerNetwork net, InputShape input) {
        MultiLayerConfiguration configuration = net.getLayerWiseConfigurations();
        InputType in = InputType.convolutional(input.height(), input.width(), input.channels(),
                dl4jFormat(configuration));
        // DL4J's own shape inference gives each layer's output size, which Same-mode padding depends on
        List<InputType> outputs = configuration.getLayerActivationTypes(in);
        OnnxGraph graph = new OnnxGraph(PRODUCER, INPUT_NAME, input.channels(), input.height(), input.width());
        for (int index = 0; index < outputs.size(); index++) {
            Layer layer = configuration.getConf(index).getLayer();
            if (!SUPPORTED.contains(layer.getClass())) {
                throw new UnsupportedLayerException(index, layer, "layer type not supported; supported are "
                        + SUPPORTED.stream().map(Class::getSimpleName).toList());
            }
            InputPreProcessor preprocessor = configuration.getInputPreProcess(index);
            if (preprocessor != null) {
                flatten(graph, index, layer, preprocessor);
                in = preprocessor.getOutputType(in);
            }
            layer(graph, index, layer, net.getLayer(index), in, outputs.get(index));
            in = outputs.get(index);
        }
        if (!(in instanceof InputTypeFeedForward classes)) {
            throw new IllegalArgumentException("the network must end in class scores [batch, classes], not " + in);
        }
        return graph.finish(OUTPUT_NAME, classes.getSize());
    }

    /**
     * The image layout the DL4J network itself takes (the ONNX model always takes NCHW), told by its first
     * layer that handles feature maps.
     */
    static CNN2DFormat dl4jFormat(MultiLayerConfiguration configuration) {
        for (int index = 0; index < configuration.getConfs().size(); index++) {
            if (configuration.getInputPreProcess(index) instanceof CnnToFeedForwardPreProcessor flatten) {
                return flatten.getFormat();
            }
            Layer layer = configuration.getConf(index).getLayer();
            if (layer instanceof ConvolutionLayer convolution) {
                return convolution.getCnn2dDataFormat();
            }
            if (layer instanceof SubsamplingLayer pooling) {
                return pooling.getCnn2dDataFormat();
            }
        }
        return CNN2DFormat.NCHW;
    }

    /**
     * DL4J flattens activations in memory order: C,H,W for NCHW maps, which is ONNX Flatten(axis=1) on NCHW;
     * H,W,C for NHWC maps.
     */
    private static void flatten(OnnxGraph graph, int index, Layer layer, InputPreProcessor preprocessor) {
        if (!(preprocessor instanceof CnnToFeedForwardPreProcessor cnnToFeedForward)) {
            throw new UnsupportedLayerException(index, layer, "its input preprocessor "
                    + preprocessor.getClass().getSimpleName() + " is not supported (only CnnToFeedForwardPreProcessor)");
        }
        if (cnnToFeedForward.getFormat() == CNN2DFormat.NHWC) {
            graph.apply("Transpose", layer.getLayerName(), ints("perm", 0, 2, 3, 1));
        }
        graph.apply("Flatten", layer.getLayerName(), integer("axis", 1));
    }

    /** Emits one supported layer; a DropoutLayer emits nothing. */
    private static void layer(OnnxGraph graph, int index, Layer conf, org.deeplearning4j.nn.api.Layer layer,
            InputType in, InputType out) {
        if (conf instanceof ConvolutionLayer convolution) {
            convolution(graph, index, convolution, layer, in, out);
        } else if (conf instanceof SubsamplingLayer pooling) {
            pooling(graph, index, pooling, in, out);
        } else if (conf instanceof DenseLayer dense) {
            if (dense.hasLayerNorm()) {
                throw new UnsupportedLayerException(index, conf, "layer normalization is not supported");
            }
            gemm(graph, index, dense, dense.hasBias(), layer, in, out);
        } else if (conf instanceof OutputLayer output) {
            gemm(graph, index, output, output.hasBias(), layer, in, out);
        }
    }

    private static void convolution(OnnxGraph graph, int index, ConvolutionLayer conf,
            org.deeplearning4j.nn.api.Layer layer, InputType in, InputType out) {
        requireMaps(index, conf, in);
        requireInputs(index, conf, ((InputTypeConvolutional) in).getChannels());
        // DL4J's W is [out, in, kH, kW], the layout ONNX Conv expects
        graph.apply("Conv", conf.getLayerName(), parameters(graph, conf, layer, conf.hasBias()),
                ints("kernel_shape", conf.getKernelSize()),
                ints("strides", conf.getStride()),
                ints("dilations", conf.getDilation()),
                ints("pads", pads(index, conf, conf.getConvolutionMode(), conf.getKernelSize(), conf.getStride(),
                        conf.getPadding(), conf.getDilation(), in, out)));
        activation(graph, index, conf, out);
    }

    private static void pooling(OnnxGraph graph, int index, SubsamplingLayer conf, InputType in, InputType out) {
        requireMaps(index, conf, in);
        if (Arrays.stream(conf.getDilation()).anyMatch(d -> d != 1)) {
            // AveragePool only gained dilations in opset 19
            throw new UnsupportedLayerException(index, conf, "dilated pooling is not supported");
        }
        String name = conf.getLayerName();
        AttributeProto kernel = ints("kernel_shape", conf.getKernelSize());
        AttributeProto strides = ints("strides", conf.getStride());
        AttributeProto pads = ints("pads", pads(index, conf, conf.getConvolutionMode(), conf.getKernelSize(),
                conf.getStride(), conf.getPadding(), conf.getDilation(), in, out));
        switch (conf.getPoolingType()) {
            case MAX -> graph.apply("MaxPool", name, kernel, strides, pads);
            case AVG -> graph.apply("AveragePool", name, kernel, strides, pads,
                    integer("count_include_pad", conf.isAvgPoolIncludePadInDivisor() ? 1 : 0));
            default -> throw new UnsupportedLayerException(index, conf,
                    "pooling type " + conf.getPoolingType() + " is not supported (only MAX and AVG)");
        }
    }

    /** DL4J's dense W is [nIn, nOut]: exactly Gemm's B without transposition. */
    private static void gemm(OnnxGraph graph, int index, FeedForwardLayer conf, boolean hasBias,
            org.deeplearning4j.nn.api.Layer layer, InputType in, InputType out) {
        if (!(in instanceof InputTypeFeedForward features)) {
            throw new UnsupportedLayerException(index, conf, "expects a flat [batch, features] input, got " + in);
        }
        requireInputs(index, conf, features.getSize());
        graph.apply("Gemm", conf.getLayerName(), parameters(graph, conf, layer, hasBias));
        activation(graph, index, conf, out);
    }

    /** The layer's trained W and, if it has one, b as initializers. */
    private static List<String> parameters(OnnxGraph graph, Layer conf, org.deeplearning4j.nn.api.Layer layer,
            boolean hasBias) {
        String weights = graph.weights(conf.getLayerName() + "/W", layer.getParam("W"));
        if (!hasBias) {
            return List.of(weights);
        }
        // DL4J keeps biases as [1, n]; ONNX Conv requires (and Gemm accepts) a plain [n]
        INDArray bias = layer.getParam("b");
        return List.of(weights, graph.weights(conf.getLayerName() + "/b", bias.reshape(bias.length())));
    }

    private static void activation(OnnxGraph graph, int index, BaseLayer conf, InputType out) {
        IActivation fn = conf.getActivationFn();
        String name = conf.getLayerName();
        if (fn instanceof ActivationIdentity) {
            return;
        }
        if (fn instanceof ActivationReLU relu && isPlain(relu)) {
            graph.apply("Relu", name);
        } else if (fn instanceof ActivationLReLU leaky) {
            graph.apply("LeakyRelu", name, real("alpha", leaky.getAlpha()));
        } else if (fn instanceof ActivationELU elu) {
            graph.apply("Elu", name, real("alpha", elu.getAlpha()));
        } else if (fn instanceof ActivationSigmoid) {
            graph.apply("Sigmoid", name);
        } else if (fn instanceof ActivationTanH) {
            graph.apply("Tanh", name);
        } else if (fn instanceof ActivationSoftmax && out instanceof InputTypeFeedForward) {
            // DL4J's softmax runs over the last axis, which for [batch, classes] is axis 1
            graph.apply("Softmax", name, integer("axis", 1));
        } else {
            throw new UnsupportedLayerException(index, conf, "activation " + fn + " is not supported here; "
                    + "supported are relu, leakyrelu, elu, sigmoid, tanh, identity, and softmax on flat outputs");
        }
    }

    /** ReLU with a cap, threshold or negative slope would need more than ONNX Relu. */
    private static boolean isPlain(ActivationReLU relu) {
        return relu.getMax() == null
                && (relu.getThreshold() == null || relu.getThreshold() == 0.0)
                && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0.0);
    }

    /**
     * The ONNX graph always carries NCHW maps. DL4J's NHWC layers compute the same values with the same
     * [out, in, kH, kW] weights, so only the flatten order (handled in {@link #flatten}) depends on the format.
     */
    private static void requireMaps(int index, Layer conf, InputType in) {
        if (!(in instanceof InputTypeConvolutional)) {
            throw new UnsupportedLayerException(index, conf, "expects [batch, C, H, W] feature maps, got " + in);
        }
    }

    /** Shape inference follows the given input, the weights follow training: they must agree. */
    private static void requireInputs(int index, FeedForwardLayer conf, long inputs) {
        if (conf.getNIn() != inputs) {
            throw new IllegalArgumentException("layer " + index + " '" + conf.getLayerName() + "' has " + conf.getNIn()
                    + " inputs but gets " + inputs + " from the given input shape; was the network built for another?");
        }
    }

    /**
     * ONNX pads [top, left, bottom, right]. Truncate and Strict use the configured symmetric padding; Same pads
     * so that out = ceil(in / stride), the odd pixel going bottom/right as DL4J does (ONNX SAME_UPPER).
     */
    private static int[] pads(int index, Layer conf, ConvolutionMode mode, int[] kernel, int[] stride, int[] padding,
            int[] dilation, InputType in, InputType out) {
        return switch (mode) {
            case Truncate, Strict -> new int[] {padding[0], padding[1], padding[0], padding[1]};
            case Same -> {
                var input = (InputTypeConvolutional) in;
                var output = (InputTypeConvolutional) out;
                int height = samePadding(input.getHeight(), output.getHeight(), kernel[0], stride[0], dilation[0]);
                int width = samePadding(input.getWidth(), output.getWidth(), kernel[1], stride[1], dilation[1]);
                yield new int[] {height / 2, width / 2, height - height / 2, width - width / 2};
            }
            default -> throw new UnsupportedLayerException(index, conf, "convolution mode " + mode + " is not supported");
        };
    }

    /** Total padding along one axis for Same mode. */
    private static int samePadding(long in, long out, int kernel, int stride, int dilation) {
        long effectiveKernel = (long) (kernel - 1) * dilation + 1;
        return (int) Math.max(0, (out - 1) * stride + effectiveKernel - in);
    }
}
