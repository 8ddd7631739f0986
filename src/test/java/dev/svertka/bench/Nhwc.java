package dev.svertka.bench;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.svertka.card.InputShape;

/**
 * The NHWC lever of issue 7: a preset's configuration with every convolution and pooling layer in
 * {@link CNN2DFormat#NHWC}. The batches stay NCHW as the trainer builds them; the first layer's input
 * pre-processor permutes them (one copy of the input batch, which is 1/8 of the first conv's output).
 */
final class Nhwc {

    private Nhwc() {
    }

    static MultiLayerConfiguration of(MultiLayerConfiguration nchw, InputShape input, long seed) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .cacheMode(nchw.getCacheMode()).trainingWorkspaceMode(nchw.getTrainingWorkspaceMode()).list();
        for (NeuralNetConfiguration conf : nchw.getConfs()) {
            Layer layer = conf.getLayer().clone();
            if (layer instanceof ConvolutionLayer conv) {
                conv.setCnn2dDataFormat(CNN2DFormat.NHWC);
            } else if (layer instanceof SubsamplingLayer pool) {
                pool.setCnn2dDataFormat(CNN2DFormat.NHWC);
            }
            list.layer(layer);
        }
        MultiLayerConfiguration nhwc = list
                .setInputType(InputType.convolutional(input.height(), input.width(), input.channels(),
                        CNN2DFormat.NHWC))
                .build();
        nhwc.getInputPreProcessors().put(0, new FromNchw());
        return nhwc;
    }

    /** NCHW batches in, NHWC activations out (and the gradient back the other way). */
    static final class FromNchw implements InputPreProcessor {

        @Override
        public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
            return workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(0, 2, 3, 1), 'c');
        }

        @Override
        public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
            return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, output.permute(0, 3, 1, 2), 'c');
        }

        @Override
        public InputPreProcessor clone() {
            return new FromNchw();
        }

        @Override
        public InputType getOutputType(InputType inputType) {
            return inputType;
        }

        @Override
        public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                              int minibatchSize) {
            return new Pair<>(maskArray, currentMaskState);
        }
    }
}
