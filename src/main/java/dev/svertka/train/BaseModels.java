package dev.svertka.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import dev.svertka.card.InputShape;
import dev.svertka.onnx.OnnxExporter;
import dev.svertka.onnx.UnsupportedLayerException;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.RegistryException;

/**
 * Where a fine-tuning base comes from: a registry reference {@code NAME[:VERSION]} (its checkpoint), a DL4J
 * checkpoint {@code .zip}, a Keras Sequential {@code .h5} ({@link KerasImport}) or a DL4J zoo model
 * {@code zoo:NAME[?weights=...]} ({@link ZooModels}). Before any training the base must end in an output layer,
 * take the data's images and be exportable to ONNX, so a job cannot train for hours and then fail to publish.
 */
public final class BaseModels {

    private final ZooModels zoo;

    public BaseModels(ZooModels zoo) {
        this.zoo = zoo;
    }

    public static boolean isKeras(String base) {
        return base.endsWith(".h5") || base.endsWith(".hdf5");
    }

    /** The base network, its head not yet replaced. */
    public MultiLayerNetwork load(String base, InputShape shape, int classes, long seed, ModelRegistry registry)
            throws IOException, RegistryException {
        MultiLayerNetwork network;
        if (ZooModels.isZoo(base)) {
            network = zoo.load(base, shape, classes, seed);
        } else if (isKeras(base)) {
            network = KerasImport.sequential(Path.of(base));
        } else {
            network = checkpoint(base.endsWith(".zip") ? Path.of(base) : registry.resolve(base).checkpointFile());
        }
        check(base, network, shape);
        return network;
    }

    /** A DL4J checkpoint, with its updater state (a resumed run continues it). */
    public static MultiLayerNetwork checkpoint(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("checkpoint " + file + " does not exist");
        }
        return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
    }

    private static void check(String base, MultiLayerNetwork network, InputShape shape) throws IOException {
        if (!(network.getOutputLayer() instanceof IOutputLayer)) {
            throw new IOException("cannot fine-tune " + base + ": it ends in "
                    + network.getOutputLayer().getClass().getSimpleName() + " '"
                    + network.getOutputLayer().conf().getLayer().getLayerName()
                    + "', not in an output layer whose classes can be replaced");
        }
        try {
            network.output(Nd4j.zeros(DataType.FLOAT, 1, shape.channels(), shape.height(), shape.width()));
        } catch (RuntimeException e) {
            throw new IOException(base + " does not take " + shape.channels() + "x" + shape.height() + "x"
                    + shape.width() + " images (set the data's --image-size to the"
                    + " base's input): " + e.getMessage(), e);
        }
        try {
            OnnxExporter.export(network, shape, Map.of());
        } catch (UnsupportedLayerException e) {
            throw new IOException("cannot fine-tune " + base + ": the result could not be exported to ONNX ("
                    + e.getMessage() + ")", e);
        }
    }
}
