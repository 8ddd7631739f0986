package dev.svertka.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Keras functional model as DL4J's Keras import builds it, made a base the trainer fine-tunes: NCHW layers and
 * flattens ({@link KerasImport#channelsFirst}), the Dense classifier its softmax output layer. Vertices keep the
 * Keras layer names, so a user freezes up to e.g. {@code block_2_add} as Keras shows it.
 */
final class KerasGraphImport {

    /** The Sequential layers plus what keras.applications graphs add: ZeroPadding2D, ReLU(6.), Activation. */
    static final List<Class<? extends Layer>> SUPPORTED = Stream.concat(KerasImport.SUPPORTED.stream(),
            Stream.of(ZeroPaddingLayer.class, ActivationLayer.class)).toList();

    private static final String SUPPORTED_KERAS = KerasImport.SUPPORTED_KERAS
            + ", ZeroPadding2D, ReLU, Activation, Add (and the other element-wise merges)";

    private KerasGraphImport() {
    }

    static ComputationGraph fineTunable(Path file, ComputationGraph imported) throws IOException {
        ComputationGraphConfiguration conf = imported.getConfiguration().clone();
        Map<String, CnnToFeedForwardPreProcessor> flattened = new HashMap<>(); // Dense vertex -> the Flatten before it
        for (Map.Entry<String, GraphVertex> entry : conf.getVertices().entrySet()) {
            String name = entry.getKey();
            GraphVertex vertex = entry.getValue();
            if (vertex instanceof LayerVertex layer) {
                checkSupported(file, name, layer.getLayerConf().getLayer());
                KerasImport.channelsFirst(layer.getLayerConf().getLayer());
                if (layer.getPreProcessor() != null) { // Keras' reshaping layers import as vertices of their own
                    throw notAClassifier(file, name, layer.getPreProcessor());
                }
            } else if (vertex instanceof PreprocessorVertex preprocessor) {
                CnnToFeedForwardPreProcessor flatten = flatten(file, name, preprocessor.getPreProcessor());
                preprocessor.setPreProcessor(KerasImport.channelsFirst(flatten));
                for (String consumer : consumers(conf, name)) {
                    if (!(conf.getVertices().get(consumer) instanceof LayerVertex dense
                            && dense.getLayerConf().getLayer() instanceof DenseLayer)) {
                        throw new IOException("cannot fine-tune Keras model " + file + ": '" + consumer
                                + "' after Flatten '" + name + "' is not a Dense layer");
                    }
                    flattened.put(consumer, flatten);
                }
            } else if (!(vertex instanceof ElementWiseVertex)) {
                throw unsupported(file, name, vertex.getClass());
            }
        }
        ComputationGraph converted = new ComputationGraph(conf);
        converted.init(imported.params().dup(), false);
        for (Map.Entry<String, CnnToFeedForwardPreProcessor> dense : flattened.entrySet()) {
            org.deeplearning4j.nn.api.Layer layer = converted.getLayer(dense.getKey());
            layer.setParam("W", KerasImport.channelsFirstRows(layer.getParam("W"), dense.getValue()));
        }
        return classifier(file, converted);
    }

    /** One input of images (height, width, channels), one output: what an image classifier base has. */
    static void checkImageInput(Path file, JsonNode graph) throws IOException {
        if (graph.path("input_layers").size() != 1 || graph.path("output_layers").size() != 1) {
            throw new IOException("cannot fine-tune Keras model " + file + ": it has "
                    + graph.path("input_layers").size() + " inputs and " + graph.path("output_layers").size()
                    + " outputs; an image classifier has one of each");
        }
        String input = graph.path("input_layers").get(0).get(0).asText();
        for (JsonNode layer : graph.path("layers")) {
            JsonNode shape = layer.path("config").path("batch_input_shape");
            if (layer.path("config").path("name").asText().equals(input) && shape.size() != 4) {
                throw new IOException("cannot fine-tune Keras model " + file + ": its input '" + input
                        + "' has shape " + shape + ", not (batch, height, width, channels) images");
            }
        }
    }

    private static void checkSupported(Path file, String name, Layer layer) throws IOException {
        if (!SUPPORTED.contains(layer.getClass())) {
            throw unsupported(file, name, layer.getClass());
        }
    }

    private static IOException unsupported(Path file, String name, Class<?> importedAs) {
        return new IOException("cannot fine-tune Keras model " + file + ": layer '" + name + "' imports as "
                + importedAs.getSimpleName() + ", which the trainer does not take; supported Keras layers: "
                + SUPPORTED_KERAS);
    }

    /** Keras' Flatten on channels_last maps: the only reshaping an image classifier here may do. */
    private static CnnToFeedForwardPreProcessor flatten(Path file, String name, InputPreProcessor preprocessor)
            throws IOException {
        if (preprocessor instanceof CnnToFeedForwardPreProcessor flatten && flatten.getFormat() == CNN2DFormat.NHWC) {
            return flatten;
        }
        throw notAClassifier(file, name, preprocessor);
    }

    private static IOException notAClassifier(Path file, String name, InputPreProcessor preprocessor) {
        return new IOException("cannot fine-tune Keras model " + file + ": '" + name + "' needs a "
                + preprocessor.getClass().getSimpleName() + "; only image classifiers (" + SUPPORTED_KERAS
                + ") are supported");
    }

    private static List<String> consumers(ComputationGraphConfiguration conf, String vertex) {
        return conf.getVertexInputs().entrySet().stream().filter(e -> e.getValue().contains(vertex))
                .map(Map.Entry::getKey).toList();
    }

    /** The graph's Dense output as a softmax output layer with the same weights (the trainer fits output layers). */
    private static ComputationGraph classifier(Path file, ComputationGraph graph) throws IOException {
        String output = graph.getConfiguration().getNetworkOutputs().get(0);
        if (!(graph.getConfiguration().getVertices().get(output) instanceof LayerVertex vertex
                && vertex.getLayerConf().getLayer() instanceof DenseLayer dense)) {
            throw new IOException("cannot fine-tune Keras model " + file + ": its output layer must be the Dense"
                    + " classifier, not '" + output + "'");
        }
        Map<String, INDArray> weights = KerasImport.duplicate(graph.getLayer(output).paramTable());
        ComputationGraph classifier = new TransferLearning.GraphBuilder(graph)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().build())
                .removeVertexKeepConnections(output)
                .addLayer(output, KerasImport.softmaxHead(file, dense),
                        graph.getConfiguration().getVertexInputs().get(output).toArray(String[]::new))
                .setOutputs(output).build();
        // assigned into the layer's views of the graph's one parameter vector (setParamTable would replace them)
        weights.forEach(classifier.getLayer(output)::setParam);
        return classifier;
    }
}
