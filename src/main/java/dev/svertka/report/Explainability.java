package dev.svertka.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

import dev.svertka.data.LabeledImages;
import dev.svertka.train.FineTuning;
import dev.svertka.train.Graphs;
import dev.svertka.train.ImageBatches;

/**
 * What a network looks at, as plain maps for {@link Charts}: the first conv layer's filters, each conv layer's
 * activation maps, and saliency (the gradient of the predicted class's log-probability with respect to the
 * input pixels). The only part of the report that runs the network.
 */
final class Explainability {

    /** A row-major map of raw values, {@code width} by {@code height}. */
    record Plane(float[] values, int width, int height) {
    }

    private final ComputationGraph network;
    /** The conv layers' vertices, in the order the graph runs them. */
    static final int SHOWN_LAYERS = 6;
    static final int SHOWN_MAPS = 32;

    private final List<String> convolutions;

    Explainability(ComputationGraph network) {
        this.network = network;
        this.convolutions = Graphs.order(network).stream().filter(name -> convolution(network, name)).toList();
    }

    /** Whether the network has a conv layer, so that it has filters and activation maps to show. */
    boolean convolutional() {
        return !convolutions.isEmpty();
    }

    /** Each filter of the first conv layer, averaged over its input channels. */
    List<Plane> filters() {
        INDArray weights = network.getLayer(convolutions.get(0)).getParam("W");
        int kh = (int) weights.size(2);
        int kw = (int) weights.size(3);
        INDArray mean = weights.mean(1); // [nOut, kh, kw]
        List<Plane> filters = new ArrayList<>();
        for (int f = 0; f < weights.size(0); f++) {
            filters.add(new Plane(mean.get(NDArrayIndex.point(f)).dup().data().asFloat(), kw, kh));
        }
        return filters;
    }

    /**
     * One list per conv layer, the first {@link #SHOWN_LAYERS}: its feature maps, one per channel up to
     * {@link #SHOWN_MAPS}, for the first of {@code images} (a backbone has dozens of layers of hundreds of maps).
     */
    List<List<Plane>> activations(LabeledImages images) {
        INDArray input = ImageBatches.batchOf(images.slice(0, 1)).getFeatures();
        Map<String, INDArray> outputs = network.feedForward(input, false);
        List<List<Plane>> layers = new ArrayList<>();
        for (String name : convolutions.subList(0, Math.min(SHOWN_LAYERS, convolutions.size()))) {
            INDArray maps = outputs.get(name);
            if (maps.rank() != 4) {
                continue;
            }
            List<Plane> channels = new ArrayList<>();
            for (int c = 0; c < Math.min(SHOWN_MAPS, maps.size(1)); c++) {
                float[] values = maps.get(NDArrayIndex.point(0), NDArrayIndex.point(c)).dup().data().asFloat();
                channels.add(new Plane(values, (int) maps.size(3), (int) maps.size(2)));
            }
            layers.add(channels);
        }
        return layers;
    }

    /**
     * For each of {@code images}: |d log p(predicted) / d pixel|, the largest over channels.
     *
     * @param predicted the predicted class of each image
     */
    List<Plane> saliency(LabeledImages images, int[] predicted) {
        int n = images.size();
        INDArray input = ImageBatches.batchOf(images).getFeatures();
        INDArray target = Nd4j.zeros(n, images.classes());
        for (int i = 0; i < n; i++) {
            target.putScalar(i, predicted[i], 1);
        }
        // frozen layers pass no gradient back to their input (DL4J fails asking for it): use a thawed copy
        ComputationGraph differentiable = FineTuning.frozenLayers(network) > 0
                ? FineTuning.unfreeze(network, new NoOp()) : network;
        // the loss gradient for a one-hot target is -d log p(target) / d input: its size is the saliency
        INDArray gradient = InputGradient.of(differentiable, input, target);
        List<Plane> maps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            INDArray strength = Nd4j.math().abs(gradient.get(NDArrayIndex.point(i))).max(0);
            maps.add(new Plane(strength.dup().data().asFloat(), images.shape().width(), images.shape().height()));
        }
        return maps;
    }

    private static boolean convolution(ComputationGraph network, String name) {
        if (!(network.getConfiguration().getVertices().get(name) instanceof LayerVertex vertex)) {
            return false;
        }
        var layer = vertex.getLayerConf().getLayer();
        layer = layer instanceof FrozenLayer frozen ? frozen.getLayer() : layer;
        return layer instanceof ConvolutionLayer;
    }
}
