package dev.svertka.model;

import dev.svertka.card.InputShape;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * A small 1-D CNN for sequences (signals, encoded text or DNA): convolutions slide along one axis only.
 * An {@link InputShape} of C x H x W is read as a sequence of W steps with C*H features each, fed as
 * {@code [batch, C*H, W]} (DL4J's NCW); e.g. 1 x 4 x 1000 for one-hot DNA of 1000 bases.
 * Global max pooling makes the head independent of the sequence length.
 */
public final class SeqCnn implements Preset {

    public static final String NAME = "seq-cnn";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "1-D CNN for sequences: conv1d 32, max-pool, conv1d 64, global max-pool, dense 64";
    }

    @Override
    public InputType inputType(InputShape input) {
        return InputType.recurrent((long) input.channels() * input.height(), input.width());
    }

    @Override
    public MultiLayerConfiguration configuration(InputShape input, int classes, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(1e-3))
                .convolutionMode(ConvolutionMode.Same)
                .list()
                .layer(new Convolution1DLayer.Builder(5).name("conv1d_1").nOut(32).activation(Activation.RELU).build())
                .layer(new Subsampling1DLayer.Builder(PoolingType.MAX).name("max_pooling1d").kernelSize(2).stride(2)
                        .build())
                .layer(new Convolution1DLayer.Builder(5).name("conv1d_2").nOut(64).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).name("global_max_pooling1d").build())
                .layer(new DenseLayer.Builder().name("dense_1").nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("predictions").weightInit(WeightInit.XAVIER)
                        .nOut(classes).activation(Activation.SOFTMAX).build())
                .setInputType(inputType(input))
                .build();
    }
}
