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

import dev.svertka.model.InputShape;

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
        randomizeBiases(net, seed);
        return net;
    }

    /** DL4J starts biases at zero, which would hide a bias that the export dropped or misplaced. */
    static void randomizeBiases(MultiLayerNetwork net, long seed) {
        Nd4j.getRandom().setSeed(seed);
        net.paramTable().forEach((name, values) -> {
            if (name.endsWith("_b")) {
                values.assign(Nd4j.rand(DataType.FLOAT, values.shape()).subi(0.5));
            }
        });
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
