package dev.svertka.model;

import dev.svertka.card.InputShape;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A Keras-style layer table: name, type, output shape and parameter count per layer. DL4J
 * flattens with a preprocessor rather than a layer; it is listed as a Flatten row, as Keras shows it.
 */
public final class ModelSummary {

    /** One row of the table. */
    public record Row(String name, String type, String outputShape, long params, long nonTrainable) {
    }

    private final List<Row> rows;

    private ModelSummary(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public static ModelSummary of(MultiLayerNetwork network, InputShape input) {
        return of(network, InputType.convolutional(input.height(), input.width(), input.channels()));
    }

    /**
     * The table for any input type (a 1-D preset reads sequences). Parameters count as non-trainable when
     * their layer is frozen, and for batch normalisation its moving mean and variance, as Keras counts them.
     */
    public static ModelSummary of(MultiLayerNetwork network, InputType inputType) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        List<InputType> outputs = conf.getLayerActivationTypes(inputType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre instanceof CnnToFeedForwardPreProcessor) {
                InputType flat = pre.getOutputType(i == 0 ? inputType : outputs.get(i - 1));
                rows.add(new Row("flatten", "Flatten", shape(flat), 0, 0));
            }
            Layer layer = conf.getConf(i).getLayer();
            long params = network.getLayer(i).numParams();
            boolean frozen = layer instanceof FrozenLayer;
            Layer inner = frozen ? ((FrozenLayer) layer).getLayer() : layer;
            long nonTrainable = frozen ? params
                    : inner instanceof BatchNormalization ? params / 2 : 0; // gamma, beta | mean, variance
            rows.add(new Row(inner.getLayerName() != null ? inner.getLayerName() : layer.getLayerName(),
                    kerasType(inner) + (frozen ? ", frozen" : ""), shape(outputs.get(i)), params, nonTrainable));
        }
        return new ModelSummary(rows);
    }

    public List<Row> rows() {
        return rows;
    }

    public long totalParams() {
        return rows.stream().mapToLong(Row::params).sum();
    }

    public long nonTrainableParams() {
        return rows.stream().mapToLong(Row::nonTrainable).sum();
    }

    /** The table as Keras prints it (shapes in NCHW order, batch first). */
    public String table() {
        String line = "-".repeat(72) + "\n";
        StringBuilder out = new StringBuilder();
        out.append(line).append(String.format("%-34s %-24s %12s%n", "Layer (type)", "Output Shape", "Param #"));
        out.append("=".repeat(72)).append('\n');
        for (Row row : rows) {
            out.append(String.format("%-34s %-24s %,12d%n", row.name() + " (" + row.type() + ")", row.outputShape(),
                    row.params()));
        }
        out.append("=".repeat(72)).append('\n');
        out.append(String.format("Total params: %,d%n", totalParams()));
        out.append(String.format("Trainable params: %,d%n", totalParams() - nonTrainableParams()));
        out.append(String.format("Non-trainable params: %,d%n", nonTrainableParams())).append(line);
        return out.toString();
    }

    private static String kerasType(Layer layer) {
        if (layer instanceof Convolution1DLayer) {
            return "Conv1D";
        }
        if (layer instanceof ConvolutionLayer) {
            return "Conv2D";
        }
        if (layer instanceof SubsamplingLayer pool) {
            String dims = layer instanceof Subsampling1DLayer ? "1D" : "2D";
            return (pool.getPoolingType() == PoolingType.MAX ? "MaxPooling" : "AveragePooling") + dims;
        }
        if (layer instanceof GlobalPoolingLayer pool) {
            return "Global" + (pool.getPoolingType() == PoolingType.MAX ? "Max"
                    : "Average") + "Pooling";
        }
        if (layer instanceof BatchNormalization) {
            return "BatchNormalization";
        }
        if (layer instanceof DropoutLayer) {
            return "Dropout";
        }
        if (layer instanceof DenseLayer || layer instanceof OutputLayer) {
            return "Dense";
        }
        return layer.getClass().getSimpleName();
    }

    private static String shape(InputType type) {
        long[] shape = type.getShape(false);
        StringBuilder out = new StringBuilder("(None");
        for (long d : shape) {
            out.append(", ").append(d);
        }
        return out.append(')').toString();
    }
}
