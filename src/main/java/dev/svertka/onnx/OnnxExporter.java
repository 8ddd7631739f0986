package dev.svertka.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;

/**
 * Writes a trained DL4J {@link MultiLayerNetwork} or {@link ComputationGraph} as an ONNX model for ONNX
 * Runtime: input {@value #INPUT_NAME} float [batch, C, H, W], output {@value #OUTPUT_NAME} float
 * [batch, classes]. Only layers whose inference maths is reproduced exactly are translated; anything else fails
 * with {@link UnsupportedLayerException} rather than exporting a model that silently disagrees with the trained one.
 */
public final class OnnxExporter {

    public static final String INPUT_NAME = "input";
    public static final String OUTPUT_NAME = "probabilities";
    public static final String BATCH_DIM = "batch";
    public static final String PRODUCER = "svertka";
    /** Opset 13 has every op used here; IR 7 is the IR version that came with it, and ORT 1.24 loads it. */
    public static final int OPSET = 13;
    public static final int IR_VERSION = 7;
    /** metadata_props key of the sha256 over the weights (every float initializer's bytes, in graph order). */
    public static final String WEIGHTS_SHA256 = "svertka.weights_sha256";
    public static final String VERSION = "svertka.version";

    private OnnxExporter() {
    }

    /** The serialized ONNX model; {@code metadataProps} go into its metadata_props, sorted by key. */
    public static byte[] export(MultiLayerNetwork net, InputShape input, Map<String, String> metadataProps) {
        return model(graph(net, input), input, metadataProps);
    }

    /** A graph with one image input and one class-probability output; see {@link #export(MultiLayerNetwork, InputShape, Map)}. */
    public static byte[] export(ComputationGraph net, InputShape input, Map<String, String> metadataProps) {
        return model(graph(net, input), input, metadataProps);
    }

    /**
     * A card's metadata plus its version and creation time: what a model file carries once the registry has
     * numbered it.
     */
    public static Map<String, String> metadata(ModelCard card) {
        Map<String, String> props = new LinkedHashMap<>(card.metadataProps());
        props.put(VERSION, String.valueOf(card.version()));
        if (card.createdAt() != null) {
            props.put("svertka.created_at", card.createdAt());
        }
        return props;
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

    private static byte[] model(GraphProto graph, InputShape input, Map<String, String> metadataProps) {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setDocString("DL4J network exported by Svertka; input " + INPUT_NAME + " float[batch,"
                        + input.channels() + "," + input.height() + "," + input.width() + "] (NCHW), output "
                        + OUTPUT_NAME + " float[batch,classes] class probabilities")
                .setGraph(graph);
        Map<String, String> props = new TreeMap<>(metadataProps);
        props.put(WEIGHTS_SHA256, weightsSha256(graph));
        // Sorted so that the same network and metadata always give byte-identical files (and checksums)
        props.forEach((key, value) -> model.addMetadataPropsBuilder().setKey(key).setValue(value));
        return model.build().toByteArray();
    }

    /** Identifies the trained weights whatever the metadata, so two files of one training run can be matched. */
    static String weightsSha256(GraphProto graph) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (TensorProto tensor : graph.getInitializerList()) {
                if (tensor.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                    digest.update(tensor.getRawData().asReadOnlyByteBuffer());
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static GraphProto graph(MultiLayerNetwork net, InputShape input) {
        MultiLayerConfiguration configuration = net.getLayerWiseConfigurations();
        NetworkInput layout = networkInput(configuration);
        OnnxGraph graph = new OnnxGraph(PRODUCER, INPUT_NAME, input.channels(), input.height(), input.width());
        layout.adapt(graph, input);
        LayerTranslator translator = new LayerTranslator(graph);
        InputType in = layout.type(input);
        for (int index = 0; index < configuration.getConfs().size(); index++) {
            Layer layer = configuration.getConf(index).getLayer();
            in = translator.translate(LayerTranslator.Site.layer(index, layer), layer, net.getLayer(index),
                    configuration.getInputPreProcess(index), in);
        }
        return finish(graph, in);
    }

    /**
     * Translates the vertices in topological order, each from its inputs' tensors: layers by
     * {@link LayerTranslator}, the others by {@link VertexTranslator}.
     */
    private static GraphProto graph(ComputationGraph net, InputShape input) {
        ComputationGraphConfiguration configuration = net.getConfiguration();
        if (configuration.getNetworkInputs().size() != 1 || configuration.getNetworkOutputs().size() != 1) {
            throw new IllegalArgumentException("only graphs with one input and one output can be exported, this one has "
                    + configuration.getNetworkInputs() + " -> " + configuration.getNetworkOutputs());
        }
        List<String> order = topologicalOrder(net);
        NetworkInput layout = networkInput(net);
        OnnxGraph graph = new OnnxGraph(PRODUCER, INPUT_NAME, input.channels(), input.height(), input.width());
        layout.adapt(graph, input);
        LayerTranslator translator = new LayerTranslator(graph);
        VertexTranslator vertices = new VertexTranslator(graph);
        Map<String, String> tensors = new HashMap<>();
        Map<String, InputType> types = new HashMap<>();
        String networkInput = configuration.getNetworkInputs().get(0);
        tensors.put(networkInput, graph.current());
        types.put(networkInput, layout.type(input));
        for (String name : order) {
            if (name.equals(networkInput)) {
                continue;
            }
            GraphVertex vertex = unfrozen(configuration.getVertices().get(name));
            List<String> inputs = configuration.getVertexInputs().get(name);
            InputType[] inputTypes = inputs.stream().map(types::get).toArray(InputType[]::new);
            LayerTranslator.Site site = LayerTranslator.Site.vertex(name);
            InputType out;
            if (vertex instanceof LayerVertex layerVertex) {
                graph.use(tensors.get(inputs.get(0)));
                out = translator.translate(site, layerVertex.getLayerConf().getLayer(), net.getLayer(name),
                        layerVertex.getPreProcessor(), inputTypes[0]);
            } else if (vertex instanceof PreprocessorVertex preprocessor) {
                graph.use(tensors.get(inputs.get(0)));
                out = translator.preprocess(site, "PreprocessorVertex", preprocessor.getPreProcessor(), inputTypes[0]);
            } else {
                vertices.translate(site, vertex, inputs.stream().map(tensors::get).toList(), inputTypes);
                out = vertex.getOutputType(-1, inputTypes);
            }
            tensors.put(name, graph.current());
            types.put(name, out);
        }
        String output = configuration.getNetworkOutputs().get(0);
        graph.use(tensors.get(output));
        return finish(graph, types.get(output));
    }

    private static GraphProto finish(OnnxGraph graph, InputType out) {
        if (!(out instanceof InputTypeFeedForward classes)) {
            throw new IllegalArgumentException("the network must end in class scores [batch, classes], not " + out);
        }
        return graph.finish(OUTPUT_NAME, classes.getSize());
    }

    static NetworkInput networkInput(MultiLayerConfiguration configuration) {
        List<Layer> layers = new ArrayList<>();
        List<InputPreProcessor> preprocessors = new ArrayList<>();
        for (int index = 0; index < configuration.getConfs().size(); index++) {
            layers.add(configuration.getConf(index).getLayer());
            preprocessors.add(configuration.getInputPreProcess(index));
        }
        return NetworkInput.of(layers, preprocessors);
    }

    /** A frozen vertex computes what the vertex it wraps does (frozen layers are unwrapped by the translator). */
    private static GraphVertex unfrozen(GraphVertex vertex) {
        return vertex instanceof FrozenVertex frozen ? frozen.getUnderlying() : vertex;
    }

    static NetworkInput networkInput(ComputationGraph net) {
        ComputationGraphConfiguration configuration = net.getConfiguration();
        List<Layer> layers = new ArrayList<>();
        List<InputPreProcessor> preprocessors = new ArrayList<>();
        for (String name : topologicalOrder(net)) {
            if (configuration.getVertices().get(name) instanceof LayerVertex vertex) {
                layers.add(vertex.getLayerConf().getLayer());
                preprocessors.add(vertex.getPreProcessor());
            }
        }
        return NetworkInput.of(layers, preprocessors);
    }

    private static List<String> topologicalOrder(ComputationGraph net) {
        List<String> order = new ArrayList<>();
        for (int index : net.topologicalSortOrder()) {
            order.add(net.getVertices()[index].getVertexName());
        }
        return order;
    }
}
