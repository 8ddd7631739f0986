package dev.svertka.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
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
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
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

/**
 * A Keras Sequential image classifier ({@code model.save('model.h5')}, Keras 2 HDF5) as a DL4J network that
 * trains like the presets: DL4J's Keras import, then two changes that keep its outputs. Keras' channels_last
 * layers become NCHW ones (the layout the trainer, the reports and the ONNX exporter feed), the Dense weights
 * after Flatten re-ordered to match; the last Dense layer becomes the softmax output layer (Keras keeps the loss
 * apart from the layers). Functional models, and layers outside {@link #SUPPORTED}, are refused.
 */
public final class KerasImport {

    /** Keras layers this import takes, by the DL4J layer each becomes (matched exactly: 1-D subclasses differ). */
    static final List<Class<? extends Layer>> SUPPORTED = List.of(ConvolutionLayer.class,
            SeparableConvolution2D.class, DepthwiseConvolution2D.class, SubsamplingLayer.class,
            BatchNormalization.class, GlobalPoolingLayer.class, DenseLayer.class, DropoutLayer.class);

    private static final String SUPPORTED_KERAS = "Conv2D, SeparableConv2D, DepthwiseConv2D, MaxPooling2D,"
            + " AveragePooling2D, BatchNormalization, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Dense,"
            + " Dropout";

    /** HDF5's format signature; it starts the file, or a user block of 512, 1024, 2048... bytes before it. */
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private KerasImport() {
    }

    /** The Keras Sequential model in {@code file} (weights included), ending in a softmax output layer. */
    public static MultiLayerNetwork sequential(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("Keras model " + file + " does not exist");
        }
        if (!isHdf5(file)) {
            throw new IOException("cannot import Keras model " + file + ": it is not an HDF5 file (Keras 2 .h5);"
                    + " a Keras 3 .keras archive must be saved as .h5 first");
        }
        MultiLayerNetwork imported;
        try {
            // the file's training config (loss, optimiser) is ignored: fine-tuning brings its own
            imported = KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false);
        } catch (InvalidKerasConfigurationException | UnsupportedKerasConfigurationException | RuntimeException e) {
            String cause = e.getMessage() != null ? e.getMessage().replaceFirst("\\. For more information.*", "")
                    : e.toString();
            String hint = cause.contains("must be Sequential")
                    ? " (only Keras Sequential models import as a layer stack; rebuild a functional model as"
                    + " keras.Sequential, or save its layers into one)" : "";
            throw new IOException("cannot import Keras model " + file + ": " + cause + hint, e);
        }
        checkLayers(file, imported.getLayerWiseConfigurations());
        return classifier(file, channelsFirst(imported));
    }

    private static boolean isHdf5(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            long position = 0;
            for (long offset = 0; offset + HDF5_SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
                in.skipNBytes(offset - position);
                byte[] head = in.readNBytes(HDF5_SIGNATURE.length);
                position = offset + head.length;
                if (Arrays.equals(head, HDF5_SIGNATURE)) {
                    return true;
                }
            }
        }
        return false;
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
     * the Dense layer after a Flatten changes: its input rows come in H, W, C order from Keras and must come in
     * C, H, W order now.
     */
    private static MultiLayerNetwork channelsFirst(MultiLayerNetwork network) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations().clone();
        for (NeuralNetConfiguration layerConf : conf.getConfs()) {
            Layer layer = layerConf.getLayer();
            if (layer instanceof ConvolutionLayer convolution) {
                convolution.setCnn2dDataFormat(CNN2DFormat.NCHW);
            } else if (layer instanceof SubsamplingLayer pooling) {
                pooling.setCnn2dDataFormat(CNN2DFormat.NCHW);
            } else if (layer instanceof BatchNormalization normalization) {
                normalization.setCnn2DFormat(CNN2DFormat.NCHW);
            } else if (layer instanceof GlobalPoolingLayer pooling && pooling.getPoolingDimensions() != null) {
                pooling.setPoolingDimensions(new int[] {2, 3});
            }
        }
        Map<Integer, InputPreProcessor> preprocessors = conf.getInputPreProcessors();
        List<Integer> flattened = preprocessors.entrySet().stream()
                .filter(e -> e.getValue() instanceof CnnToFeedForwardPreProcessor flatten
                        && flatten.getFormat() == CNN2DFormat.NHWC)
                .map(Map.Entry::getKey).toList();
        for (int index : flattened) {
            CnnToFeedForwardPreProcessor nhwc = (CnnToFeedForwardPreProcessor) preprocessors.get(index);
            preprocessors.put(index, new CnnToFeedForwardPreProcessor(nhwc.getInputHeight(), nhwc.getInputWidth(),
                    nhwc.getNumChannels(), CNN2DFormat.NCHW));
        }
        MultiLayerNetwork converted = new MultiLayerNetwork(conf);
        converted.init(network.params().dup(), false);
        for (int index : flattened) {
            CnnToFeedForwardPreProcessor maps = (CnnToFeedForwardPreProcessor) preprocessors.get(index);
            INDArray weights = converted.getLayer(index).getParam("W");
            long height = maps.getInputHeight();
            long width = maps.getInputWidth();
            long channels = maps.getNumChannels();
            converted.getLayer(index).setParam("W", weights.reshape('c', height, width, channels, weights.size(1))
                    .permute(2, 0, 1, 3).dup('c').reshape('c', weights.size(0), weights.size(1)));
        }
        return converted;
    }

    /** The last Dense layer as a softmax output layer with the same weights (the trainer fits output layers). */
    private static MultiLayerNetwork classifier(Path file, MultiLayerNetwork network) throws IOException {
        int last = network.getnLayers() - 1;
        DenseLayer dense = (DenseLayer) network.getLayerWiseConfigurations().getConf(last).getLayer();
        if (!(dense.getActivationFn() instanceof ActivationSoftmax)
                && !(dense.getActivationFn() instanceof ActivationIdentity)) {
            throw new IOException("cannot fine-tune Keras model " + file + ": its last Dense layer '"
                    + dense.getLayerName() + "' has activation " + dense.getActivationFn()
                    + "; a classifier ends in softmax (or linear logits)");
        }
        INDArray weights = network.getLayer(last).getParam("W").dup();
        INDArray bias = dense.hasBias() ? network.getLayer(last).getParam("b").dup() : null;
        MultiLayerNetwork classifier = new TransferLearning.Builder(network)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().build())
                .removeOutputLayer()
                .addLayer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name(dense.getLayerName())
                        .nIn(dense.getNIn()).nOut(dense.getNOut()).hasBias(dense.hasBias())
                        .activation(Activation.SOFTMAX).build())
                .build();
        classifier.getLayer(last).setParam("W", weights);
        if (bias != null) {
            classifier.getLayer(last).setParam("b", bias);
        }
        return classifier;
    }
}
