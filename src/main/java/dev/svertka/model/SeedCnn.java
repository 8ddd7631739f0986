package dev.svertka.model;

import dev.svertka.card.InputShape;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The classic small Keras MNIST network the project started from:
 * Conv 8 → Conv 16 → MaxPool → Dropout 0.2 → Flatten → Dense 128 → Dropout 0.5 → Dense softmax.
 */
public final class SeedCnn implements Preset {

    public static final String NAME = "seed-cnn";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Keras MNIST example: 2 conv layers, max-pool, dense 128 (297,578 params at 28x28x1, 10 classes)";
    }

    @Override
    public MultiLayerConfiguration configuration(InputShape input, int classes, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.XAVIER_UNIFORM) // Keras' glorot_uniform
                .updater(new Adam(1e-3))
                // backprop reuses the forward pass's im2col instead of redoing it: +20-35 % training images/s
                // (BENCHMARKS.md, issue 7) for one im2col buffer per conv layer kept until backprop
                .cacheMode(CacheMode.DEVICE)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2d_1").nOut(8).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2d_2").nOut(16).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                        .name("max_pooling2d").kernelSize(2, 2).stride(2, 2).build())
                // DL4J's dropOut(p) is the probability to RETAIN: Keras Dropout(0.2) is 0.8 here
                .layer(new DropoutLayer.Builder(0.8).name("dropout_1").build())
                .layer(new DenseLayer.Builder().name("dense_1").nOut(128).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).name("dropout_2").build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("predictions")
                        .nOut(classes).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(input.height(), input.width(), input.channels()))
                .build();
    }
}
