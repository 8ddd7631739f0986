package dev.svertka.onnx;

import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration.ListBuilder;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import dev.svertka.card.InputShape;

/** Small randomly weighted networks and random images for export tests. */
final class SmallNetworks {

    static final int CLASSES = 5;
    static final Map<String, String> NO_METADATA = Map.of();

    private SmallNetworks() {
    }

    /** A network of {@code layers} taking NCHW images of {@code input}, with random weights and biases. */
    static MultiLayerNetwork network(InputShape input, long seed, Layer... layers) {
        return network(input, CNN2DFormat.NCHW, seed, layers);
    }

    static MultiLayerNetwork network(InputShape input, CNN2DFormat format, long seed, Layer... layers) {
        ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.XAVIER).list();
        for (Layer layer : layers) {
            list.layer(layer);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(
                list.setInputType(InputType.convolutional(input.height(), input.width(), input.channels(), format))
                        .build());
        net.init();
        randomizeBiasesAndStatistics(net.paramTable(), seed);
        return net;
    }

    /**
     * DL4J starts biases and batch-normalization statistics at zeros and ones, which would hide a bias or a
     * running mean that the export dropped or misplaced: give them random values in plausible ranges.
     */
    static void randomizeBiasesAndStatistics(Map<String, INDArray> params, long seed) {
        Nd4j.getRandom().setSeed(seed);
        params.forEach((name, values) -> {
            String kind = name.substring(name.lastIndexOf('_') + 1);
            switch (kind) {
                case "b", "beta", "mean" -> values.assign(uniform(values, -0.5, 0.5));
                case "gamma", "var" -> values.assign(uniform(values, 0.5, 1.5));
                case "log10stdev" -> values.assign(uniform(values, -0.3, 0.3));
                default -> {
                    // weights are already random
                }
            }
        });
    }

    private static INDArray uniform(INDArray like, double from, double to) {
        return Nd4j.rand(DataType.FLOAT, like.shape()).muli(to - from).addi(from);
    }

    static OutputLayer softmaxOutput() {
        return new OutputLayer.Builder(LossFunction.MCXENT).name("out").nOut(CLASSES)
                .activation(Activation.SOFTMAX).build();
    }

    /** Uniform [0, 1) pixels, as scaled images are. */
    static INDArray images(InputShape input, int count, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, count, input.channels(), input.height(), input.width());
    }
}
