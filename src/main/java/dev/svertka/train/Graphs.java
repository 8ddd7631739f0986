package dev.svertka.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The trainer's one network type is DL4J's {@link ComputationGraph}: layer stacks (the presets, zoo LeNet, Keras
 * Sequential models, checkpoints written before graphs) become graphs whose vertices carry the layers' names, so
 * that freezing by name and everything downstream see one kind of network.
 */
public final class Graphs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Graphs() {
    }

    /**
     * The stack as a chain of vertices named as its layers (their index when unnamed), with its weights, updater
     * state and epoch and iteration counts, so that training goes on where the stack left off.
     */
    public static ComputationGraph of(MultiLayerNetwork stack) {
        // DL4J's conversion names the vertices "0", "1", ...: renamed below (clone() forgets the counts: set below)
        ComputationGraphConfiguration conf = stack.toComputationGraph().getConfiguration().clone();
        Map<String, String> names = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < stack.getnLayers(); i++) {
            String name = stack.getLayerWiseConfigurations().getConf(i).getLayer().getLayerName();
            names.put(String.valueOf(i), name != null && taken.add(name) ? name : String.valueOf(i));
        }
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        conf.getVertices().forEach((key, vertex) -> {
            String name = names.getOrDefault(key, key);
            if (vertex instanceof LayerVertex layer) {
                layer.getLayerConf().getLayer().setLayerName(name);
            }
            vertices.put(name, vertex);
        });
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        conf.getVertexInputs().forEach((key, from) -> inputs.put(names.getOrDefault(key, key),
                from.stream().map(v -> names.getOrDefault(v, v)).toList()));
        conf.setVertices(new LinkedHashMap<>(vertices));
        conf.setVertexInputs(inputs);
        conf.setNetworkOutputs(new ArrayList<>(conf.getNetworkOutputs().stream()
                .map(v -> names.getOrDefault(v, v)).toList()));
        conf.setEpochCount(stack.getEpochCount());
        conf.setIterationCount(stack.getIterationCount());
        conf.setCacheMode(stack.getLayerWiseConfigurations().getCacheMode());
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(stack.params().dup(), false);
        if (stack.getUpdater() != null && stack.getUpdater().getStateViewArray() != null) {
            // a chain keeps its order, so the flattened updater state lines up as the parameters do
            graph.getUpdater().getStateViewArray().assign(stack.getUpdater().getStateViewArray());
        }
        return graph;
    }

    /**
     * A DL4J checkpoint of either kind (Svertka's graphs, or stacks written before), as a graph.
     *
     * @param withUpdater whether the updater state is restored (a resumed run continues it)
     */
    public static ComputationGraph restore(Path file, boolean withUpdater) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("checkpoint " + file + " does not exist");
        }
        return holdsGraph(file) ? ModelSerializer.restoreComputationGraph(file.toFile(), withUpdater)
                : of(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), withUpdater));
    }

    /** Whether a DL4J zip holds a graph: its configuration has vertices, a stack's has layer configurations. */
    public static boolean holdsGraph(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new IOException(file + " is not a DL4J model: it has no configuration.json");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                JsonNode conf = JSON.readTree(in);
                return conf.has("vertices");
            }
        }
    }

    /**
     * The same graph without flat-to-maps input preprocessors (zoo VGG and LeNet take flattened images): the
     * trainer's batches are maps already, and the ONNX exporter reads maps.
     */
    public static ComputationGraph takingMaps(ComputationGraph graph) {
        return rebuilt(graph, conf -> {
            for (String input : conf.getNetworkInputs()) {
                conf.getVertexInputs().forEach((name, inputs) -> {
                    if (inputs.contains(input) && conf.getVertices().get(name) instanceof LayerVertex layer
                            && layer.getPreProcessor() instanceof FeedForwardToCnnPreProcessor) {
                        layer.setPreProcessor(null);
                    }
                });
            }
        });
    }

    /**
     * The graph with its configuration changed by {@code change} (vertices rewrapped, preprocessors dropped: the
     * parameters' layout stays), its weights and epoch and iteration counts kept; the updater starts afresh.
     */
    static ComputationGraph rebuilt(ComputationGraph graph, Consumer<ComputationGraphConfiguration> change) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        // clone() forgets the counts, which the epoch numbering and learning-rate schedules go on from
        conf.setEpochCount(graph.getEpochCount());
        conf.setIterationCount(graph.getIterationCount());
        change.accept(conf);
        if (conf.toJson().equals(graph.getConfiguration().toJson())) {
            return graph;
        }
        ComputationGraph rebuilt = new ComputationGraph(conf);
        rebuilt.init(graph.params().dup(), false);
        return rebuilt;
    }

    /** The vertex names in the order the graph runs them, the network input first. */
    public static List<String> order(ComputationGraph graph) {
        List<String> order = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            order.add(graph.getVertices()[index].getVertexName());
        }
        return order;
    }
}
