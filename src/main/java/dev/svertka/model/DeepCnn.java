package dev.svertka.model;

import dev.svertka.card.InputShape;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
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
 * A deeper VGG-style network for Fashion-MNIST-sized images: two blocks of two 3x3 convolutions
 * (32 then 64 filters, same padding), each followed by batch normalisation, then max-pool and
 * dropout; dense 256, dropout, softmax. The kind of net that reaches about 94 % on Fashion-MNIST
 * (the seed CNN stays near 91-92 %).
 */
public final class DeepCnn implements Preset {

    public static final String NAME = "deep-cnn";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "VGG-style: 2 x (conv, BN, conv, BN, max-pool, dropout 0.25), dense 256, dropout 0.5"
                + " (871,402 params at 28x28x1, 10 classes)";
    }

    @Override
    public MultiLayerConfiguration configuration(InputShape input, int classes, long seed) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.RELU) // He initialisation for the ReLU layers
                .updater(new Adam(1e-3))
                // backprop reuses the forward pass's im2col instead of redoing it: +20-35 % training images/s
                // (BENCHMARKS.md, issue 7) for one im2col buffer per conv layer kept until backprop
                .cacheMode(CacheMode.DEVICE)
                .convolutionMode(ConvolutionMode.Same)
                .list();
        int block = 0;
        for (int filters : new int[] {32, 64}) {
            block++;
            for (int k = 1; k <= 2; k++) {
                String suffix = block + "_" + k;
                layers.layer(new ConvolutionLayer.Builder(3, 3).name("conv2d_" + suffix).nOut(filters)
                        .activation(Activation.RELU).build());
                layers.layer(new BatchNormalization.Builder().name("batch_normalization_" + suffix).build());
            }
            layers.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                    .name("max_pooling2d_" + block).kernelSize(2, 2).stride(2, 2).build());
            // DL4J's dropOut(p) is the probability to RETAIN: Keras Dropout(0.25) is 0.75 here
            layers.layer(new DropoutLayer.Builder(0.75).name("dropout_" + block).build());
        }
        return layers
                .layer(new DenseLayer.Builder().name("dense_1").nOut(256).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).name("dropout_3").build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("predictions").weightInit(WeightInit.XAVIER)
                        .nOut(classes).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(input.height(), input.width(), input.channels()))
                .build();
    }
}
