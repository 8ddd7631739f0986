package dev.svertka.train;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Transfer learning on a trained network: a new head for the new classes, the layers up to a freeze
 * point frozen (DL4J's {@link FrozenLayer}: no gradient, and always run in inference mode, so a frozen
 * batch normalisation keeps its moving mean and variance), the rest trained with the given updater.
 * Frozen layers carry no regularisation (the presets use none), so L2 cannot shrink them either.
 */
public final class FineTuning {

    private FineTuning() {
    }

    /**
     * @param freezeUpTo a layer name or 0-based index: it and every layer before it are frozen; null or blank
     *                   freezes nothing (the whole network is fine-tuned)
     */
    public static MultiLayerNetwork prepare(MultiLayerNetwork base, int classes, String freezeUpTo, IUpdater updater,
                                            long seed) {
        int head = base.getnLayers() - 1;
        TransferLearning.Builder builder = new TransferLearning.Builder(base)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(updater).seed(seed).build())
                // a new head even for the same class count: the old one scores other classes
                .nOutReplace(head, classes, WeightInit.XAVIER);
        if (freezeUpTo != null && !freezeUpTo.isBlank()) {
            int frozen = layerIndex(base, freezeUpTo);
            if (frozen >= head) {
                throw new IllegalArgumentException("cannot freeze up to '" + freezeUpTo + "': that would freeze the new"
                        + " head (layer " + head + ")");
            }
            builder.setFeatureExtractor(frozen);
        }
        return builder.build();
    }

    /** The index of a layer given by name or 0-based index. */
    public static int layerIndex(MultiLayerNetwork network, String nameOrIndex) {
        String key = nameOrIndex.strip();
        for (int i = 0; i < network.getnLayers(); i++) {
            if (key.equals(layer(network.getLayerWiseConfigurations().getConf(i)).getLayerName())) {
                return i;
            }
        }
        try {
            int index = Integer.parseInt(key);
            if (index >= 0 && index < network.getnLayers()) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < network.getnLayers(); i++) {
            names.append(i == 0 ? "" : ", ").append(i).append('=')
                    .append(layer(network.getLayerWiseConfigurations().getConf(i)).getLayerName());
        }
        throw new IllegalArgumentException("no layer '" + nameOrIndex + "'; layers: " + names);
    }

    /** Number of frozen layers (they come first). */
    public static int frozenLayers(MultiLayerNetwork network) {
        int count = 0;
        for (NeuralNetConfiguration conf : network.getLayerWiseConfigurations().getConfs()) {
            count += conf.getLayer() instanceof FrozenLayer ? 1 : 0;
        }
        return count;
    }

    /**
     * The same network with every layer trainable again, its weights and epoch count kept, every layer
     * using {@code updater} (with a fresh state) from now on.
     */
    public static MultiLayerNetwork unfreeze(MultiLayerNetwork network, IUpdater updater) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations().clone();
        for (NeuralNetConfiguration layerConf : conf.getConfs()) {
            layerConf.setLayer(layer(layerConf));
        }
        Optimizer.setUpdater(conf, updater);
        MultiLayerNetwork unfrozen = new MultiLayerNetwork(conf);
        unfrozen.init(network.params().dup(), false);
        return unfrozen;
    }

    private static Layer layer(NeuralNetConfiguration conf) {
        return conf.getLayer() instanceof FrozenLayer frozen ? frozen.getLayer() : conf.getLayer();
    }
}
