package dev.svertka.onnx;

import java.util.List;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.svertka.card.InputShape;

/**
 * How a DL4J network takes the image batch that the ONNX model takes as NCHW: as NCHW or NHWC maps, or, for
 * a 1-D network, as a sequence of W steps of C·H features per image (the NCHW batch reshaped to [N, C·H, W]:
 * each column of the image is one step).
 */
enum NetworkInput {
    NCHW, NHWC, SEQUENCE;

    /**
     * Told by the first layer that handles feature maps or sequences, given the layers in the order they see
     * the input (and each one's input preprocessor, or null).
     */
    static NetworkInput of(List<Layer> layers, List<InputPreProcessor> preprocessors) {
        for (int i = 0; i < layers.size(); i++) {
            if (preprocessors.get(i) instanceof CnnToFeedForwardPreProcessor flatten) {
                return of(flatten.getFormat());
            }
            Layer layer = LayerTranslator.unwrap(layers.get(i));
            if (layer instanceof Convolution1DLayer || layer instanceof Subsampling1DLayer) {
                return SEQUENCE;
            }
            if (layer instanceof ConvolutionLayer convolution) {
                return of(convolution.getCnn2dDataFormat());
            }
            if (layer instanceof SubsamplingLayer pooling) {
                return of(pooling.getCnn2dDataFormat());
            }
            if (layer instanceof BatchNormalization normalization) {
                return of(normalization.getCnn2DFormat());
            }
        }
        return NCHW;
    }

    private static NetworkInput of(CNN2DFormat format) {
        return format == CNN2DFormat.NHWC ? NHWC : NCHW;
    }

    /** The input type DL4J's shape inference starts from. */
    InputType type(InputShape shape) {
        return switch (this) {
            case NCHW -> InputType.convolutional(shape.height(), shape.width(), shape.channels(), CNN2DFormat.NCHW);
            case NHWC -> InputType.convolutional(shape.height(), shape.width(), shape.channels(), CNN2DFormat.NHWC);
            case SEQUENCE -> InputType.recurrent((long) shape.channels() * shape.height(), shape.width());
        };
    }

    /** Appends what turns the ONNX NCHW input into what the first layer reads (maps always stay NCHW in ONNX). */
    void adapt(OnnxGraph graph, InputShape shape) {
        if (this == SEQUENCE) {
            // Reshape copies a 0 from the input's shape: the batch size stays symbolic
            graph.apply("Reshape", "input", List.of(graph.int64s("input/sequence_shape", 0,
                    (long) shape.channels() * shape.height(), shape.width())));
        }
    }

    /** The NCHW batch {@code images} as the DL4J network takes it. */
    INDArray toDl4j(INDArray images) {
        return switch (this) {
            case NCHW -> images;
            case NHWC -> images.permute(0, 2, 3, 1);
            case SEQUENCE -> images.dup('c').reshape('c', images.size(0), images.size(1) * images.size(2),
                    images.size(3));
        };
    }
}
