package dev.svertka.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A Keras 2 .h5 file as seen before DL4J's import: that it is HDF5 at all, and the model it describes. */
final class KerasFile {

    /** Keras' class names of a functional model: "Model" before tf.keras 2.4, "Functional" since. */
    private static final Set<String> FUNCTIONAL = Set.of("Functional", "Model");

    /** HDF5's format signature; it starts the file, or a user block of 512, 1024, 2048... bytes before it. */
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private KerasFile() {
    }

    static void checkHdf5(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("Keras model " + file + " does not exist");
        }
        if (!isHdf5(file)) {
            throw new IOException("cannot import Keras model " + file + ": it is not an HDF5 file (Keras 2 .h5);"
                    + " a Keras 3 .keras archive must be saved as .h5 first");
        }
    }

    /** The root attribute model_config: {"class_name": "Sequential" or "Functional"..., "config": {...}}. */
    static JsonNode modelConfig(Path file) throws IOException {
        checkHdf5(file);
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            if (!archive.hasAttribute("model_config")) {
                throw new IOException("cannot import Keras model " + file + ": it holds no model_config (weights"
                        + " saved without their model, e.g. by save_weights)");
            }
            return new ObjectMapper().readTree(archive.readAttributeAsJson("model_config"));
        } catch (UnsupportedKerasConfigurationException | RuntimeException e) {
            throw new IOException("cannot read Keras model " + file + ": " + e.getMessage(), e);
        }
    }

    static boolean isFunctional(JsonNode modelConfig) {
        return FUNCTIONAL.contains(modelConfig.path("class_name").asText());
    }

    private static boolean isHdf5(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            long position = 0;
            for (long offset = 0; offset + HDF5_SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
                in.skipNBytes(offset - position);
                byte[] head = in.readNBytes(HDF5_SIGNATURE.length);
                position = offset + head.length;
                if (Arrays.equals(head, HDF5_SIGNATURE)) {
                    return true;
                }
            }
        }
        return false;
    }
}
