package dev.svertka.onnx;

import static dev.svertka.onnx.OnnxGraph.integer;
import static dev.svertka.onnx.OnnxGraph.ints;
import static dev.svertka.onnx.OnnxGraph.real;

import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeConvolutional;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeRecurrent;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import onnx.Onnx.AttributeProto;

/**
 * Translates one DL4J layer (and the input preprocessor before it) into ONNX nodes appended to the current
 * tensor of a graph. The ONNX graph always carries NCHW maps and NCW sequences: DL4J's NHWC layers compute
 * the same values with the same weights, so only the flatten order depends on the format.
 */
final class LayerTranslator {

    /**
     * Matched by exact class, not instanceof: subclasses such as Deconvolution2D change the maths. Dropout, on a
     * DropoutLayer or configured on any layer, is the identity at inference. Frozen wrappers are unwrapped first.
     */
    static final List<Class<? extends Layer>> SUPPORTED = List.of(ConvolutionLayer.class,
            DepthwiseConvolution2D.class, SeparableConvolution2D.class, Convolution1DLayer.class,
            SubsamplingLayer.class, Subsampling1DLayer.class, GlobalPoolingLayer.class, BatchNormalization.class,
            LocalResponseNormalization.class, ZeroPaddingLayer.class, Cropping2D.class, ActivationLayer.class,
            DropoutLayer.class, DenseLayer.class, OutputLayer.class, CenterLossOutputLayer.class, LossLayer.class);

    private final OnnxGraph graph;
    private final ActivationTranslator activations;

    LayerTranslator(OnnxGraph graph) {
        this.graph = graph;
        this.activations = new ActivationTranslator(graph);
    }

    /** The layer inside any frozen wrappers: freezing changes training, not inference. */
    static Layer unwrap(Layer layer) {
        Layer inner = layer;
        while (true) {
            if (inner instanceof FrozenLayer frozen) {
                inner = frozen.getLayer();
            } else if (inner instanceof FrozenLayerWithBackprop frozen) {
                inner = frozen.getUnderlying();
            } else {
                return inner;
            }
        }
    }

    /**
     * Appends {@code conf} applied to the current tensor, of type {@code in}, and returns the type it produces.
     *
     * @param layer the trained layer holding the parameters
     */
    InputType translate(Site site, Layer conf, org.deeplearning4j.nn.api.Layer layer,
            InputPreProcessor preprocessor, InputType in) {
        Layer inner = unwrap(conf);
        if (!SUPPORTED.contains(inner.getClass())) {
            throw site.unsupported(conf, "layer type not supported; supported are "
                    + SUPPORTED.stream().map(Class::getSimpleName).toList() + " (also inside frozen wrappers)");
        }
        String name = site.name();
        InputType input = preprocessor == null ? in : preprocess(site, Site.unwrapName(conf), preprocessor, in);
        InputType out = outputType(inner, input);
        if (inner instanceof DepthwiseConvolution2D depthwise) {
            depthwise(site, depthwise, layer, input, out, name);
        } else if (inner instanceof SeparableConvolution2D separable) {
            separable(site, separable, layer, input, out, name);
        } else if (inner instanceof Convolution1DLayer convolution) {
            convolution1d(site, convolution, layer, input, out, name);
        } else if (inner instanceof ConvolutionLayer convolution) {
            convolution(site, convolution, layer, input, out, name);
        } else if (inner instanceof Subsampling1DLayer pooling) {
            pooling1d(site, pooling, input, out, name);
        } else if (inner instanceof SubsamplingLayer pooling) {
            pooling(site, pooling, input, out, name);
        } else if (inner instanceof GlobalPoolingLayer pooling) {
            globalPooling(site, pooling, input, name);
        } else if (inner instanceof BatchNormalization normalization) {
            batchNormalization(normalization, layer, name);
        } else if (inner instanceof LocalResponseNormalization normalization) {
            requireMaps(site, conf, input);
            localResponseNormalization(normalization, name);
        } else if (inner instanceof ZeroPaddingLayer padding) {
            requireMaps(site, conf, input);
            zeroPadding(padding.getPadding(), name);
        } else if (inner instanceof Cropping2D cropping) {
            requireMaps(site, conf, input);
            crop(cropping.getCropping(), (InputTypeConvolutional) input, name);
        } else if (inner instanceof ActivationLayer activation) {
            activation(site, conf, activation.getActivationFn(), out, name);
        } else if (inner instanceof LossLayer loss) {
            // a loss layer only scores its input at inference: what it outputs is its activation of it
            activation(site, conf, loss.getActivationFn(), out, name);
        } else if (inner instanceof DenseLayer dense) {
            if (dense.hasLayerNorm()) {
                throw site.unsupported(conf, "layer normalization is not supported");
            }
            gemm(site, dense, dense.hasBias(), layer, input, out, name);
        } else if (inner instanceof OutputLayer output) {
            gemm(site, output, output.hasBias(), layer, input, out, name);
        } else if (inner instanceof CenterLossOutputLayer output) {
            // the class centres it also keeps only shape the training loss
            gemm(site, output, output.hasBias(), layer, input, out, name);
        }
        return out;
    }

    /**
     * DL4J mis-types global pooling over sequences as still a sequence; the activations it computes are
     * [batch, channels], which is what the graph must carry on.
     */
    private static InputType outputType(Layer layer, InputType in) {
        if (layer instanceof GlobalPoolingLayer pooling && pooling.isCollapseDimensions()
                && in instanceof InputTypeRecurrent sequence) {
            return InputType.feedForward(sequence.getSize());
        }
        return layer.getOutputType(-1, in);
    }

    /**
     * DL4J flattens activations in memory order: C,H,W for NCHW maps, which is ONNX Flatten(axis=1) on NCHW;
     * H,W,C for NHWC maps. A sequence-to-flat preprocessor before a layer that already gets [batch, features]
     * (after global pooling) passes it through, as DL4J's does.
     */
    /**
     * Appends what {@code preprocessor} does to the current tensor: a layer's input preprocessor, or a graph's
     * PreprocessorVertex (a Keras Flatten imports as one); {@code owner} names it in errors.
     */
    InputType preprocess(Site site, String owner, InputPreProcessor preprocessor, InputType in) {
        String name = site.name();
        if (preprocessor instanceof RnnToFeedForwardPreProcessor && in instanceof InputTypeFeedForward) {
            return in;
        }
        if (preprocessor instanceof FeedForwardToCnnPreProcessor toMaps) {
            return unflatten(site, owner, toMaps, in, name);
        }
        if (!(preprocessor instanceof CnnToFeedForwardPreProcessor cnnToFeedForward)) {
            throw new UnsupportedLayerException(site, owner, "its input preprocessor " + preprocessor.getClass().getSimpleName()
                    + " is not supported (only CnnToFeedForwardPreProcessor and FeedForwardToCnnPreProcessor)");
        }
        if (cnnToFeedForward.getFormat() == CNN2DFormat.NHWC) {
            graph.apply("Transpose", name, ints("perm", 0, 2, 3, 1));
        }
        graph.apply("Flatten", name, integer("axis", 1));
        return preprocessor.getOutputType(in);
    }

    /**
     * DL4J passes maps that already have the preprocessor's shape through (VGG16 declares a flat input and gets
     * images); flat features become NCHW maps by a row-major reshape.
     */
    private InputType unflatten(Site site, String owner, FeedForwardToCnnPreProcessor toMaps, InputType in,
            String name) {
        InputType maps = InputType.convolutional(toMaps.getInputHeight(), toMaps.getInputWidth(),
                toMaps.getNumChannels());
        if (in instanceof InputTypeConvolutional given && given.getFormat() == CNN2DFormat.NCHW
                && given.getChannels() == toMaps.getNumChannels() && given.getHeight() == toMaps.getInputHeight()
                && given.getWidth() == toMaps.getInputWidth()) {
            return in;
        }
        if (!(in instanceof InputTypeFeedForward features) || features.getSize() != maps.arrayElementsPerExample()) {
            throw new UnsupportedLayerException(site, owner, "FeedForwardToCnnPreProcessor to " + maps
                    + " cannot take " + in);
        }
        graph.apply("Reshape", name, List.of(graph.int64s(name + "/maps_shape", 0, toMaps.getNumChannels(),
                toMaps.getInputHeight(), toMaps.getInputWidth())));
        return maps;
    }

    private void convolution(Site site, ConvolutionLayer conf, org.deeplearning4j.nn.api.Layer layer, InputType in,
            InputType out, String name) {
        mapChannels(site, conf, in);
        // DL4J's W is [out, in, kH, kW], the layout ONNX Conv expects
        graph.apply("Conv", name, parameters(conf, layer, name, conf.hasBias()),
                convolutionAttributes(site, conf, in, out, 1));
        activation(site, conf, out, name);
    }

    /**
     * DL4J keeps depthwise kernels as [kH, kW, in, multiplier] and orders outputs channel-major (channel c's
     * m-th map is output c*multiplier + m), which is ONNX's grouped Conv with one group per input channel and
     * weights [in*multiplier, 1, kH, kW].
     */
    private void depthwise(Site site, DepthwiseConvolution2D conf, org.deeplearning4j.nn.api.Layer layer,
            InputType in, InputType out, String name) {
        int channels = mapChannels(site, conf, in);
        INDArray kernels = layer.getParam("W").permute(2, 3, 0, 1);
        String weights = graph.weights(name + "/W", grouped(kernels));
        List<String> inputs = conf.hasBias() ? List.of(weights, bias(layer, name)) : List.of(weights);
        graph.apply("Conv", name, inputs, convolutionAttributes(site, conf, in, out, channels));
        activation(site, conf, out, name);
    }

    /**
     * A depthwise convolution ([multiplier, in, kH, kW] kernels, no bias) followed by a 1x1 pointwise one
     * carrying the bias and the activation.
     */
    private void separable(Site site, SeparableConvolution2D conf, org.deeplearning4j.nn.api.Layer layer,
            InputType in, InputType out, String name) {
        int channels = mapChannels(site, conf, in);
        INDArray kernels = layer.getParam("W").permute(1, 0, 2, 3);
        graph.apply("Conv", name + "/depthwise", List.of(graph.weights(name + "/W", grouped(kernels))),
                convolutionAttributes(site, conf, in, out, channels));
        String pointwise = graph.weights(name + "/pW", layer.getParam("pW"));
        graph.apply("Conv", name + "/pointwise",
                conf.hasBias() ? List.of(pointwise, bias(layer, name)) : List.of(pointwise),
                ints("kernel_shape", 1, 1));
        activation(site, conf, out, name);
    }

    /** [in, multiplier, kH, kW] kernels as ONNX group-convolution weights [in*multiplier, 1, kH, kW]. */
    private static INDArray grouped(INDArray kernels) {
        long[] shape = kernels.shape();
        return kernels.dup('c').reshape(shape[0] * shape[1], 1, shape[2], shape[3]);
    }

    private AttributeProto[] convolutionAttributes(Site site, ConvolutionLayer conf, InputType in, InputType out,
            int groups) {
        return new AttributeProto[] {
                ints("kernel_shape", conf.getKernelSize()),
                ints("strides", conf.getStride()),
                ints("dilations", conf.getDilation()),
                ints("pads", pads(site, conf, conf.getConvolutionMode(), conf.getKernelSize(), conf.getStride(),
                        conf.getPadding(), conf.getDilation(), in, out)),
                integer("group", groups)};
    }

    /**
     * DL4J declares 1-D kernels as [out, in, k, 1] but its conv1d reads the same memory as [k, in, out];
     * ONNX Conv on NCW takes [out, in, k].
     */
    private void convolution1d(Site site, Convolution1DLayer conf, org.deeplearning4j.nn.api.Layer layer,
            InputType in, InputType out, String name) {
        requireSequence(site, conf, in, conf.getRnnDataFormat());
        requireInputs(site, conf, ((InputTypeRecurrent) in).getSize());
        INDArray kernels = Nd4j.toFlattened('c', layer.getParam("W"))
                .reshape('c', conf.getKernelSize()[0], conf.getNIn(), conf.getNOut()).permute(2, 1, 0);
        String weights = graph.weights(name + "/W", kernels);
        List<String> inputs = conf.hasBias() ? List.of(weights, bias(layer, name)) : List.of(weights);
        graph.apply("Conv", name, inputs,
                ints("kernel_shape", conf.getKernelSize()[0]),
                ints("strides", conf.getStride()[0]),
                ints("dilations", conf.getDilation()[0]),
                ints("pads", pads1d(site, conf, conf.getConvolutionMode(), conf.getKernelSize()[0],
                        conf.getStride()[0], conf.getPadding()[0], conf.getDilation()[0], in, out)));
        activation(site, conf, out, name);
    }

    private void pooling(Site site, SubsamplingLayer conf, InputType in, InputType out, String name) {
        requireMaps(site, conf, in);
        requireUndilated(site, conf);
        pool(site, conf, name, ints("kernel_shape", conf.getKernelSize()), ints("strides", conf.getStride()),
                ints("pads", pads(site, conf, conf.getConvolutionMode(), conf.getKernelSize(), conf.getStride(),
                        conf.getPadding(), conf.getDilation(), in, out)));
    }

    private void pooling1d(Site site, Subsampling1DLayer conf, InputType in, InputType out, String name) {
        requireSequence(site, conf, in, RNNFormat.NCW);
        requireUndilated(site, conf);
        pool(site, conf, name, ints("kernel_shape", conf.getKernelSize()[0]), ints("strides", conf.getStride()[0]),
                ints("pads", pads1d(site, conf, conf.getConvolutionMode(), conf.getKernelSize()[0],
                        conf.getStride()[0], conf.getPadding()[0], conf.getDilation()[0], in, out)));
    }

    private void pool(Site site, SubsamplingLayer conf, String name, AttributeProto kernel, AttributeProto strides,
            AttributeProto pads) {
        switch (conf.getPoolingType()) {
            case MAX -> graph.apply("MaxPool", name, kernel, strides, pads);
            case AVG -> graph.apply("AveragePool", name, kernel, strides, pads,
                    integer("count_include_pad", conf.isAvgPoolIncludePadInDivisor() ? 1 : 0));
            // (sum |x|^p)^(1/p) over the window; padded positions add zeros in both
            case PNORM -> graph.apply("LpPool", name, kernel, strides, pads, integer("p", conf.getPnorm()));
            default -> throw site.unsupported(conf,
                    "pooling type " + conf.getPoolingType() + " is not supported (only MAX, AVG and PNORM)");
        }
    }

    private static void requireUndilated(Site site, SubsamplingLayer conf) {
        if (Arrays.stream(conf.getDilation()).anyMatch(d -> d != 1)) {
            // AveragePool only gained dilations in opset 19
            throw site.unsupported(conf, "dilated pooling is not supported");
        }
    }

    /** Pools over all positions (H and W of maps, time of sequences); collapsed to [batch, channels]. */
    private void globalPooling(Site site, GlobalPoolingLayer conf, InputType in, String name) {
        if (!(in instanceof InputTypeConvolutional) && !(in instanceof InputTypeRecurrent)) {
            throw site.unsupported(conf, "expects feature maps or sequences, got " + in);
        }
        if (!poolsAllPositions(conf.getPoolingDimensions(), in)) {
            throw site.unsupported(conf, "pooling over dimensions " + Arrays.toString(conf.getPoolingDimensions())
                    + " is not supported, only over all positions");
        }
        switch (conf.getPoolingType()) {
            case MAX -> graph.apply("GlobalMaxPool", name);
            case AVG -> graph.apply("GlobalAveragePool", name);
            default -> throw site.unsupported(conf,
                    "pooling type " + conf.getPoolingType() + " is not supported (only MAX and AVG)");
        }
        if (conf.isCollapseDimensions()) {
            graph.apply("Flatten", name, integer("axis", 1));
        }
    }

    /** DL4J fills in the spatial dimensions of its own input layout, or leaves them unset (all of them). */
    private static boolean poolsAllPositions(int[] dimensions, InputType in) {
        if (dimensions == null) {
            return true;
        }
        int[] sorted = dimensions.clone();
        Arrays.sort(sorted);
        if (in instanceof InputTypeConvolutional maps) {
            return Arrays.equals(sorted, maps.getFormat() == CNN2DFormat.NHWC ? new int[] {1, 2} : new int[] {2, 3});
        }
        return Arrays.equals(sorted, new int[] {2});
    }

    /**
     * Inference form: gamma * (x - mean) / sqrt(var + eps) + beta over the channel axis, with the running mean
     * and variance. DL4J may store log10 of the standard deviation instead of the variance, and fixed gamma and
     * beta instead of parameters.
     */
    private void batchNormalization(BatchNormalization conf, org.deeplearning4j.nn.api.Layer layer, String name) {
        INDArray mean = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray variance;
        if (conf.isUseLogStd()) {
            INDArray std = Transforms.pow(Nd4j.valueArrayOf(mean.shape(), 10.0, mean.dataType()),
                    layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD), true);
            variance = std.mul(std);
        } else {
            variance = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
        }
        INDArray gamma;
        INDArray beta;
        if (conf.isLockGammaBeta()) {
            gamma = Nd4j.valueArrayOf(mean.shape(), conf.getGamma(), DataType.FLOAT);
            beta = Nd4j.valueArrayOf(mean.shape(), conf.getBeta(), DataType.FLOAT);
        } else {
            gamma = layer.getParam(BatchNormalizationParamInitializer.GAMMA);
            beta = layer.getParam(BatchNormalizationParamInitializer.BETA);
        }
        long channels = mean.length();
        graph.apply("BatchNormalization", name, List.of(
                        graph.weights(name + "/gamma", gamma.reshape(channels)),
                        graph.weights(name + "/beta", beta.reshape(channels)),
                        graph.weights(name + "/mean", mean.reshape(channels)),
                        graph.weights(name + "/var", variance.reshape(channels))),
                real("epsilon", conf.getEps()));
    }

    /**
     * DL4J sums the squares of the n/2 channels on each side (so n+1 channels for an even n) and scales by alpha
     * itself: x / (k + alpha * sum)^beta. ONNX LRN divides alpha by its window size, which is taken odd so that
     * the window is centred like DL4J's.
     */
    private void localResponseNormalization(LocalResponseNormalization conf, String name) {
        int size = 2 * ((int) conf.getN() / 2) + 1;
        graph.apply("LRN", name, integer("size", size), real("alpha", conf.getAlpha() * size),
                real("beta", conf.getBeta()), real("bias", conf.getK()));
    }

    /** DL4J pads [top, bottom, left, right]; ONNX Pad takes all begins, then all ends, of NCHW. */
    private void zeroPadding(int[] padding, String name) {
        graph.apply("Pad", name, List.of(graph.int64s(name + "/pads", 0, 0, padding[0], padding[2], 0, 0,
                padding[1], padding[3])));
    }

    /** DL4J crops [top, bottom, left, right]: a Slice of H and W, whose sizes are known from the input. */
    private void crop(int[] cropping, InputTypeConvolutional in, String name) {
        graph.apply("Slice", name, List.of(
                graph.int64s(name + "/starts", cropping[0], cropping[2]),
                graph.int64s(name + "/ends", in.getHeight() - cropping[1], in.getWidth() - cropping[3]),
                graph.int64s(name + "/axes", 2, 3)));
    }

    /** DL4J's dense W is [nIn, nOut]: exactly Gemm's B without transposition. */
    private void gemm(Site site, FeedForwardLayer conf, boolean hasBias, org.deeplearning4j.nn.api.Layer layer,
            InputType in, InputType out, String name) {
        if (!(in instanceof InputTypeFeedForward features)) {
            throw site.unsupported(conf, "expects a flat [batch, features] input, got " + in);
        }
        requireInputs(site, conf, features.getSize());
        graph.apply("Gemm", name, parameters(conf, layer, name, hasBias));
        activation(site, (BaseLayer) conf, out, name);
    }

    /** The layer's trained W and, if it has one, b as initializers. */
    private List<String> parameters(Layer conf, org.deeplearning4j.nn.api.Layer layer, String name, boolean hasBias) {
        String weights = graph.weights(name + "/W", layer.getParam("W"));
        return hasBias ? List.of(weights, bias(layer, name)) : List.of(weights);
    }

    /** DL4J may keep biases as [1, n]; ONNX Conv requires (and Gemm accepts) a plain [n]. */
    private String bias(org.deeplearning4j.nn.api.Layer layer, String name) {
        INDArray bias = layer.getParam("b");
        return graph.weights(name + "/b", bias.reshape(bias.length()));
    }

    private void activation(Site site, BaseLayer conf, InputType out, String name) {
        activation(site, conf, conf.getActivationFn(), out, name);
    }

    private void activation(Site site, Layer conf, IActivation fn, InputType out, String name) {
        if (!activations.apply(fn, out, name)) {
            throw site.unsupported(conf, "activation " + fn + " is not supported here; supported are "
                    + ActivationTranslator.SUPPORTED);
        }
    }

    /** The channels of the feature maps a convolution gets, which its weights must have been made for. */
    private static int mapChannels(Site site, ConvolutionLayer conf, InputType in) {
        requireMaps(site, conf, in);
        int channels = (int) ((InputTypeConvolutional) in).getChannels();
        requireInputs(site, conf, channels);
        return channels;
    }

    private static void requireMaps(Site site, Layer conf, InputType in) {
        if (!(in instanceof InputTypeConvolutional)) {
            throw site.unsupported(conf, "expects [batch, C, H, W] feature maps, got " + in);
        }
    }

    private static void requireSequence(Site site, Layer conf, InputType in, RNNFormat format) {
        if (!(in instanceof InputTypeRecurrent sequence)) {
            throw site.unsupported(conf, "expects [batch, channels, length] sequences, got " + in);
        }
        if (format != RNNFormat.NCW || sequence.getFormat() != RNNFormat.NCW) {
            throw site.unsupported(conf, "only channels-first (NCW) sequences are supported");
        }
    }

    /** Shape inference follows the given input, the weights follow training: they must agree. */
    private static void requireInputs(Site site, FeedForwardLayer conf, long inputs) {
        if (conf.getNIn() != inputs) {
            throw new IllegalArgumentException(site + " has " + conf.getNIn() + " inputs but gets " + inputs
                    + " from the given input shape; was the network built for another?");
        }
    }

    /**
     * ONNX pads [top, left, bottom, right]. Truncate and Strict use the configured symmetric padding; Same pads
     * so that out = ceil(in / stride), the odd pixel going bottom/right as DL4J does (ONNX SAME_UPPER).
     */
    private static int[] pads(Site site, Layer conf, ConvolutionMode mode, int[] kernel, int[] stride, int[] padding,
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
            default -> throw site.unsupported(conf, "convolution mode " + mode + " is not supported");
        };
    }

    /** ONNX pads [start, end] of a sequence; Causal pads only the start, so no output sees the future. */
    private static int[] pads1d(Site site, Layer conf, ConvolutionMode mode, int kernel, int stride, int padding,
            int dilation, InputType in, InputType out) {
        return switch (mode) {
            case Truncate, Strict -> new int[] {padding, padding};
            case Same -> {
                int total = samePadding(((InputTypeRecurrent) in).getTimeSeriesLength(),
                        ((InputTypeRecurrent) out).getTimeSeriesLength(), kernel, stride, dilation);
                yield new int[] {total / 2, total - total / 2};
            }
            case Causal -> new int[] {(kernel - 1) * dilation, 0};
            default -> throw site.unsupported(conf, "convolution mode " + mode + " is not supported");
        };
    }

    /** Total padding along one axis for Same mode. */
    private static int samePadding(long in, long out, int kernel, int stride, int dilation) {
        long effectiveKernel = (long) (kernel - 1) * dilation + 1;
        return (int) Math.max(0, (out - 1) * stride + effectiveKernel - in);
    }

    /** Where in the network a layer sits, for error messages: a layer index or a graph vertex name. */
    record Site(int index, String name) {

        static Site layer(int index, Layer conf) {
            return new Site(index, conf.getLayerName());
        }

        static Site vertex(String name) {
            return new Site(-1, name);
        }

        UnsupportedLayerException unsupported(Layer conf, String problem) {
            return new UnsupportedLayerException(this, unwrapName(conf), problem);
        }

        UnsupportedLayerException unsupportedVertex(GraphVertex vertex, String problem) {
            return new UnsupportedLayerException(this, vertex.getClass().getSimpleName(), problem);
        }

        static String unwrapName(Layer conf) {
            Layer inner = unwrap(conf);
            return inner == conf ? conf.getClass().getSimpleName()
                    : conf.getClass().getSimpleName() + " of " + inner.getClass().getSimpleName();
        }

        @Override
        public String toString() {
            return index >= 0 ? "layer " + index + " '" + name + "'" : "vertex '" + name + "'";
        }
    }
}
