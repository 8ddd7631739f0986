package dev.svertka.report;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

import dev.svertka.data.LabeledImages;
import dev.svertka.train.FineTuning;
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

    private final MultiLayerNetwork network;
    private final int firstConv;

    Explainability(MultiLayerNetwork network) {
        this.network = network;
        this.firstConv = firstConv(network);
    }

    /** Whether the network has a conv layer, so that it has filters and activation maps to show. */
    boolean convolutional() {
        return firstConv >= 0;
    }

    /** Each filter of the first conv layer, averaged over its input channels. */
    List<Plane> filters() {
        INDArray weights = network.getLayer(firstConv).getParam("W");
        int kh = (int) weights.size(2);
        int kw = (int) weights.size(3);
        INDArray mean = weights.mean(1); // [nOut, kh, kw]
        List<Plane> filters = new ArrayList<>();
        for (int f = 0; f < weights.size(0); f++) {
            filters.add(new Plane(mean.get(NDArrayIndex.point(f)).dup().data().asFloat(), kw, kh));
        }
        return filters;
    }

    /** One list per conv layer: its feature maps, one per channel, for the first of {@code images}. */
    List<List<Plane>> activations(LabeledImages images) {
        INDArray input = ImageBatches.batchOf(images.slice(0, 1)).getFeatures();
        List<INDArray> outputs = network.feedForward(input, false);
        List<List<Plane>> layers = new ArrayList<>();
        for (int i = 0; i < network.getnLayers(); i++) {
            INDArray maps = outputs.get(i + 1);
            if (!convolution(network, i) || maps.rank() != 4) {
                continue;
            }
            List<Plane> channels = new ArrayList<>();
            for (int c = 0; c < maps.size(1); c++) {
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
        MultiLayerNetwork differentiable = FineTuning.frozenLayers(network) > 0
                ? FineTuning.unfreeze(network, new NoOp()) : network;
        // the loss gradient for a one-hot target is -d log p(target) / d input: its size is the saliency
        INDArray gradient = differentiable.calculateGradients(input, target, null, null).getSecond();
        List<Plane> maps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            INDArray strength = Nd4j.math().abs(gradient.get(NDArrayIndex.point(i))).max(0);
            maps.add(new Plane(strength.dup().data().asFloat(), images.shape().width(), images.shape().height()));
        }
        return maps;
    }

    private static int firstConv(MultiLayerNetwork network) {
        for (int i = 0; i < network.getnLayers(); i++) {
            if (convolution(network, i)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean convolution(MultiLayerNetwork network, int i) {
        var layer = network.getLayerWiseConfigurations().getConf(i).getLayer();
        layer = layer instanceof FrozenLayer frozen ? frozen.getLayer() : layer;
        return layer instanceof ConvolutionLayer;
    }
}
