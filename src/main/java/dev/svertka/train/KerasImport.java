package dev.svertka.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Keras image classifier ({@code model.save('model.h5')}, Keras 2 HDF5) as a DL4J network that trains like the
 * presets: DL4J's Keras import, then two changes that keep its outputs. Keras' channels_last layers become NCHW
 * ones (the layout the trainer, the reports and the ONNX exporter feed), the Dense weights after Flatten re-ordered
 * to match; the last Dense layer becomes the softmax output layer (Keras keeps the loss apart from the layers).
 * A Sequential model becomes a {@link MultiLayerNetwork}; a functional one (keras.applications' MobileNetV2,
 * ResNet50, VGG16...) a {@link ComputationGraph} ({@link KerasGraphImport}). Layers outside the supported ones
 * are refused by name.
 */
public final class KerasImport {

    /** Keras layers this import takes, by the DL4J layer each becomes (matched exactly: 1-D subclasses differ). */
    static final List<Class<? extends Layer>> SUPPORTED = List.of(ConvolutionLayer.class,
            SeparableConvolution2D.class, DepthwiseConvolution2D.class, SubsamplingLayer.class,
            BatchNormalization.class, GlobalPoolingLayer.class, DenseLayer.class, DropoutLayer.class);

    static final String SUPPORTED_KERAS = "Conv2D, SeparableConv2D, DepthwiseConv2D, MaxPooling2D,"
            + " AveragePooling2D, BatchNormalization, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Dense,"
            + " Dropout";

    private KerasImport() {
    }

    /** The Keras Sequential model in {@code file} (weights included), ending in a softmax output layer. */
    public static MultiLayerNetwork sequential(Path file) throws IOException {
        KerasFile.checkHdf5(file);
        // the file's training config (loss, optimiser) is ignored: fine-tuning brings its own
        MultiLayerNetwork imported = imported(file,
                () -> KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false));
        checkLayers(file, imported.getLayerWiseConfigurations());
        return classifier(file, channelsFirst(imported));
    }

    /**
     * The Keras functional model in {@code file} (a graph of layers, as keras.applications saves them), ending in
     * a softmax output layer; its vertices keep the Keras layer names.
     */
    public static ComputationGraph functional(Path file) throws IOException {
        JsonNode model = KerasFile.modelConfig(file);
        if (!KerasFile.isFunctional(model)) {
            throw new IOException("cannot import Keras model " + file + " as a graph: it is a "
                    + model.path("class_name").asText() + " model, which imports as a layer stack");
        }
        KerasGraphImport.checkImageInput(file, model.path("config"));
        ComputationGraph imported = imported(file,
                () -> KerasModelImport.importKerasModelAndWeights(file.toString(), false));
        return KerasGraphImport.fineTunable(file, imported);
    }

    /** Whether {@code file} holds a Keras functional model ({@link #functional}) rather than a Sequential one. */
    public static boolean isFunctional(Path file) throws IOException {
        return KerasFile.isFunctional(KerasFile.modelConfig(file));
    }

    /** What DL4J's Keras import returns, or an IOException naming the file and DL4J's reason. */
    private static <T> T imported(Path file, KerasImportCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (InvalidKerasConfigurationException | UnsupportedKerasConfigurationException | RuntimeException e) {
            String cause = e.getMessage() != null ? e.getMessage().replaceFirst("\\. For more information.*", "")
                    : e.toString();
            String hint = cause.contains("must be Sequential")
                    ? " (a functional model imports as a graph: KerasImport.functional)" : "";
            throw new IOException("cannot import Keras model " + file + ": " + cause + hint, e);
        }
    }

    private interface KerasImportCall<T> {
        T run() throws IOException, InvalidKerasConfigurationException, UnsupportedKerasConfigurationException;
    }

    private static void checkLayers(Path file, MultiLayerConfiguration conf) throws IOException {
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            if (!SUPPORTED.contains(layer.getClass())) {
                throw new IOException("cannot fine-tune Keras model " + file + ": layer " + i + " '"
                        + layer.getLayerName() + "' imports as " + layer.getClass().getSimpleName()
                        + ", which the trainer does not take; supported Keras layers: " + SUPPORTED_KERAS);
            }
            InputPreProcessor preprocessor = conf.getInputPreProcess(i);
            if (preprocessor != null && !(preprocessor instanceof CnnToFeedForwardPreProcessor)) {
                throw new IOException("cannot fine-tune Keras model " + file + ": layer " + i + " '"
                        + layer.getLayerName() + "' needs a " + preprocessor.getClass().getSimpleName()
                        + "; only image classifiers (" + SUPPORTED_KERAS + ") are supported");
            }
        }
        if (!(conf.getConf(conf.getConfs().size() - 1).getLayer() instanceof DenseLayer)) {
            throw new IOException("cannot fine-tune Keras model " + file + ": its last layer must be the Dense"
                    + " classifier, not " + conf.getConf(conf.getConfs().size() - 1).getLayer().getLayerName());
        }
    }

    /**
     * The same network computing on NCHW maps. Convolution kernels are [out, in, h, w] in either layout, so only
     * the Dense layer after a Flatten changes (see {@link #channelsFirstRows}).
     */
    private static MultiLayerNetwork channelsFirst(MultiLayerNetwork network) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations().clone();
        conf.getConfs().forEach(layerConf -> channelsFirst(layerConf.getLayer()));
        Map<Integer, InputPreProcessor> preprocessors = conf.getInputPreProcessors();
        List<Integer> flattened = preprocessors.entrySet().stream()
                .filter(e -> e.getValue() instanceof CnnToFeedForwardPreProcessor flatten
                        && flatten.getFormat() == CNN2DFormat.NHWC)
                .map(Map.Entry::getKey).toList();
        flattened.forEach(index -> preprocessors.put(index,
                channelsFirst((CnnToFeedForwardPreProcessor) preprocessors.get(index))));
        MultiLayerNetwork converted = new MultiLayerNetwork(conf);
        converted.init(network.params().dup(), false);
        for (int index : flattened) {
            converted.getLayer(index).setParam("W", channelsFirstRows(converted.getLayer(index).getParam("W"),
                    (CnnToFeedForwardPreProcessor) preprocessors.get(index)));
        }
        return converted;
    }

    /** A layer DL4J's Keras import made channels_last (NHWC) set to NCHW; its parameters fit either layout. */
    static void channelsFirst(Layer layer) {
        if (layer instanceof ConvolutionLayer convolution) {
            convolution.setCnn2dDataFormat(CNN2DFormat.NCHW);
        } else if (layer instanceof SubsamplingLayer pooling) {
            pooling.setCnn2dDataFormat(CNN2DFormat.NCHW);
        } else if (layer instanceof BatchNormalization normalization) {
            normalization.setCnn2DFormat(CNN2DFormat.NCHW);
        } else if (layer instanceof ZeroPaddingLayer padding) {
            padding.setDataFormat(CNN2DFormat.NCHW);
        } else if (layer instanceof GlobalPoolingLayer pooling && pooling.getPoolingDimensions() != null) {
            pooling.setPoolingDimensions(new int[] {2, 3});
        }
    }

    static CnnToFeedForwardPreProcessor channelsFirst(CnnToFeedForwardPreProcessor nhwc) {
        return new CnnToFeedForwardPreProcessor(nhwc.getInputHeight(), nhwc.getInputWidth(), nhwc.getNumChannels(),
                CNN2DFormat.NCHW);
    }

    /** The weights of a Dense layer after a Flatten: their rows come in H, W, C order from Keras, now C, H, W. */
    static INDArray channelsFirstRows(INDArray weights, CnnToFeedForwardPreProcessor maps) {
        return weights.reshape('c', maps.getInputHeight(), maps.getInputWidth(), maps.getNumChannels(),
                weights.size(1)).permute(2, 0, 1, 3).dup('c').reshape('c', weights.size(0), weights.size(1));
    }

    /** The last Dense layer as a softmax output layer with the same weights (the trainer fits output layers). */
    private static MultiLayerNetwork classifier(Path file, MultiLayerNetwork network) throws IOException {
        int last = network.getnLayers() - 1;
        DenseLayer dense = (DenseLayer) network.getLayerWiseConfigurations().getConf(last).getLayer();
        OutputLayer head = softmaxHead(file, dense);
        Map<String, INDArray> weights = duplicate(network.getLayer(last).paramTable());
        MultiLayerNetwork classifier = new TransferLearning.Builder(network)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().build())
                .removeOutputLayer().addLayer(head).build();
        // assigned into the layer's views of the network's one parameter vector (setParamTable would replace them)
        weights.forEach(classifier.getLayer(last)::setParam);
        return classifier;
    }

    /** The output layer that takes the place of the Keras classifier {@code dense}, its weights fitting as they are. */
    static OutputLayer softmaxHead(Path file, DenseLayer dense) throws IOException {
        if (!(dense.getActivationFn() instanceof ActivationSoftmax)
                && !(dense.getActivationFn() instanceof ActivationIdentity)) {
            throw new IOException("cannot fine-tune Keras model " + file + ": its last Dense layer '"
                    + dense.getLayerName() + "' has activation " + dense.getActivationFn()
                    + "; a classifier ends in softmax (or linear logits)");
        }
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name(dense.getLayerName())
                .nIn(dense.getNIn()).nOut(dense.getNOut()).hasBias(dense.hasBias()).activation(Activation.SOFTMAX)
                .build();
    }

    static Map<String, INDArray> duplicate(Map<String, INDArray> parameters) {
        Map<String, INDArray> copies = new LinkedHashMap<>();
        parameters.forEach((name, values) -> copies.put(name, values.dup()));
        return copies;
    }
}
