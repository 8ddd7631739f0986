package dev.svertka.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import dev.svertka.card.InputShape;

/**
 * Transfer learning on a trained graph: the old classifier cut off (the output layer and every vertex only it
 * needs), a new head for the new classes on a chosen features vertex (global average pooling and a softmax layer
 * on feature maps, a softmax layer on features), the vertices up to a freeze point frozen (DL4J's
 * {@link FrozenLayer}: no gradient, and always run in inference mode, so a frozen batch normalisation keeps its
 * moving mean and variance), the rest trained with the given updater. Frozen layers carry no regularisation (the
 * presets use none), so L2 cannot shrink them either.
 */
public final class FineTuning {

    static final String POOLING = "global_average_pooling";
    static final String HEAD = "predictions";

    private FineTuning() {
    }

    /**
     * @param featuresAt the vertex the new head reads (see {@link #featuresAt}); null: the default there
     * @param freezeUpTo a vertex name, or a 0-based index among the layers in the order they run: it and every
     *                   vertex it depends on are frozen; null or blank freezes nothing
     */
    public static ComputationGraph prepare(ComputationGraph base, InputShape shape, int classes, String freezeUpTo,
                                           String featuresAt, IUpdater updater, long seed) {
        Map<String, INDArray> activations = activations(base, shape);
        String features = featuresAt != null && !featuresAt.isBlank() ? vertex(base, featuresAt)
                : featuresAt(base, activations);
        Set<String> kept = ancestors(base.getConfiguration(), features);
        kept.add(features);
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(base)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(updater).seed(seed).build());
        List<String> order = Graphs.order(base);
        Collections.reverse(order);
        for (String name : order) {
            if (!kept.contains(name)) {
                builder.removeVertexAndConnections(name);
            }
        }
        INDArray at = activations.get(features);
        String headInput = features;
        if (at.rank() > 2) {
            // maps (or sequences) of any size become one value per channel, so the head fits any input size
            builder.addLayer(unique(kept, POOLING), new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), features);
            headInput = unique(kept, POOLING);
        }
        String head = unique(kept, HEAD);
        builder.addLayer(head, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(at.size(1)).nOut(classes)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build(), headInput).setOutputs(head);
        if (freezeUpTo != null && !freezeUpTo.isBlank()) {
            String frozen = vertex(base, freezeUpTo);
            if (!kept.contains(frozen)) {
                throw new IllegalArgumentException("cannot freeze up to '" + freezeUpTo + "': it is part of the old"
                        + " head, which is cut off (that would freeze the new head); the new head reads '" + features
                        + "': freeze it or a vertex before it");
            }
            builder.setFeatureExtractor(frozen);
        }
        // frozen merges and sums stay FrozenVertex: DL4J's backward pass skips them as it skips frozen layers
        // (a plain sum between frozen layers waits for gradients that never come)
        return builder.build();
    }

    /**
     * The default features vertex: the last one giving feature maps (or sequences), skipping class maps (maps with
     * as many channels as the base has classes, which a convolutional classifier pools into its scores, as
     * SqueezeNet and Darknet do). A network without maps keeps all but its output layer.
     */
    static String featuresAt(ComputationGraph base, Map<String, INDArray> activations) {
        String output = base.getConfiguration().getNetworkOutputs().get(0);
        long classes = activations.get(output).size(1);
        List<String> order = Graphs.order(base);
        for (int i = order.size() - 1; i >= 0; i--) {
            INDArray a = activations.get(order.get(i));
            if (a != null && a.rank() > 2 && a.size(1) != classes
                    && !base.getConfiguration().getNetworkInputs().contains(order.get(i))) {
                return order.get(i);
            }
        }
        return base.getConfiguration().getVertexInputs().get(output).get(0);
    }

    /** The vertex a fine-tuned network's head reads. */
    static String features(ComputationGraph tuned) {
        Map<String, List<String>> inputs = tuned.getConfiguration().getVertexInputs();
        String read = inputs.get(tuned.getConfiguration().getNetworkOutputs().get(0)).get(0);
        return read.equals(POOLING) ? inputs.get(POOLING).get(0) : read;
    }

    /** Each vertex's output for one blank image: its shape says maps, sequences or features. */
    private static Map<String, INDArray> activations(ComputationGraph base, InputShape shape) {
        return base.feedForward(Nd4j.zeros(DataType.FLOAT, 1, shape.channels(), shape.height(), shape.width()), false);
    }

    private static String unique(Set<String> taken, String name) {
        String unique = name;
        for (int i = 1; taken.contains(unique); i++) {
            unique = name + "_" + i;
        }
        return unique;
    }

    private static Set<String> ancestors(ComputationGraphConfiguration conf, String vertex) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(vertex));
        while (!todo.isEmpty()) {
            List<String> inputs = conf.getVertexInputs().get(todo.pop());
            if (inputs != null) {
                inputs.stream().filter(seen::add).forEach(todo::push);
            }
        }
        return seen;
    }

    /** A vertex given by name or by 0-based index among the layers in the order they run. */
    public static String vertex(ComputationGraph network, String nameOrIndex) {
        String key = nameOrIndex.strip();
        if (network.getConfiguration().getVertices().containsKey(key)) {
            return key;
        }
        List<String> layers = layers(network);
        try {
            int index = Integer.parseInt(key);
            if (index >= 0 && index < layers.size()) {
                return layers.get(index);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        StringJoiner names = new StringJoiner(", ");
        int index = 0;
        for (String name : Graphs.order(network)) {
            names.add(layers.contains(name) ? index++ + "=" + name : name);
        }
        throw new IllegalArgumentException("no vertex '" + nameOrIndex + "'; vertices (layers numbered): " + names);
    }

    /** The 0-based index of a vertex given by name or index among the layers in the order they run. */
    public static int layerIndex(ComputationGraph network, String nameOrIndex) {
        return layers(network).indexOf(vertex(network, nameOrIndex));
    }

    private static List<String> layers(ComputationGraph network) {
        List<String> layers = new ArrayList<>();
        for (String name : Graphs.order(network)) {
            if (network.getConfiguration().getVertices().get(name) instanceof LayerVertex) {
                layers.add(name);
            }
        }
        return layers;
    }

    /** Number of frozen layers. */
    public static int frozenLayers(ComputationGraph network) {
        int count = 0;
        for (GraphVertex vertex : network.getConfiguration().getVertices().values()) {
            count += vertex instanceof LayerVertex layer && layer.getLayerConf().getLayer() instanceof FrozenLayer ? 1 : 0;
        }
        return count;
    }

    /**
     * The same network with every vertex trainable again, its weights and epoch count kept, every layer
     * using {@code updater} (with a fresh state) from now on.
     */
    public static ComputationGraph unfreeze(ComputationGraph network, IUpdater updater) {
        return Graphs.rebuilt(network, conf -> {
            conf.getVertices().replaceAll((name, vertex) -> {
                if (vertex instanceof FrozenVertex frozen) {
                    return frozen.getUnderlying();
                }
                if (vertex instanceof LayerVertex layer) {
                    layer.getLayerConf().setLayer(layer(layer.getLayerConf().getLayer()));
                }
                return vertex;
            });
            Optimizer.setUpdater(conf, updater);
        });
    }

    private static Layer layer(Layer layer) {
        return layer instanceof FrozenLayer frozen ? frozen.getLayer() : layer;
    }
}
