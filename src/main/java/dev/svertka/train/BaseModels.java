package dev.svertka.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import dev.svertka.card.InputShape;
import dev.svertka.onnx.OnnxExporter;
import dev.svertka.onnx.UnsupportedLayerException;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.RegistryException;

/**
 * Where a fine-tuning base comes from: a registry reference {@code NAME[:VERSION]} (its checkpoint), a DL4J
 * checkpoint {@code .zip} (a graph, or a layer stack), a Keras {@code .h5} ({@link KerasImport}) or a DL4J zoo
 * model {@code zoo:NAME[?weights=...]} ({@link ZooModels}), always as a graph. Before any training the base must
 * take the data's images and the fine-tuned network must be exportable to ONNX, so a job cannot train for hours and
 * then fail to publish.
 */
public final class BaseModels {

    private final ZooModels zoo;

    public BaseModels(ZooModels zoo) {
        this.zoo = zoo;
    }

    public static boolean isKeras(String base) {
        return base.endsWith(".h5") || base.endsWith(".hdf5");
    }

    /** The base network, its head not yet replaced, checked to take images of {@code shape}. */
    public ComputationGraph load(String base, InputShape shape, int classes, long seed, ModelRegistry registry)
            throws IOException, RegistryException {
        ComputationGraph network;
        if (ZooModels.isZoo(base)) {
            network = zoo.load(base, shape, classes, seed);
        } else if (isKeras(base)) {
            network = keras(Path.of(base));
        } else {
            network = Graphs.restore(base.endsWith(".zip") ? Path.of(base) : registry.resolve(base).checkpointFile(),
                    false);
        }
        try {
            network.outputSingle(false, Nd4j.zeros(DataType.FLOAT, 1, shape.channels(), shape.height(), shape.width()));
        } catch (RuntimeException e) {
            throw new IOException(base + " does not take " + shape.channels() + "x" + shape.height() + "x"
                    + shape.width() + " images (set the data's --image-size to the"
                    + " base's input): " + e.getMessage(), e);
        }
        return network;
    }

    /** A Keras model: a functional one (keras.applications) as the graph it is, a Sequential one as a stack. */
    private static ComputationGraph keras(Path file) throws IOException {
        return KerasImport.isFunctional(file) ? KerasImport.functional(file) : Graphs.of(KerasImport.sequential(file));
    }

    /** Refuses, before training, a fine-tuned network that could not be published. */
    public static void checkExports(String base, ComputationGraph tuned, InputShape shape) throws IOException {
        try {
            OnnxExporter.export(tuned, shape, Map.of());
        } catch (UnsupportedLayerException e) {
            throw new IOException("cannot fine-tune " + base + ": the result could not be exported to ONNX ("
                    + e.getMessage() + ")", e);
        }
    }
}
