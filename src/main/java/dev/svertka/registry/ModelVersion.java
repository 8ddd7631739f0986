package dev.svertka.registry;

import java.nio.file.Path;

import dev.svertka.card.ModelCard;

/** One stored version: its card and the directory holding {@code model.onnx} and the checkpoint. */
public record ModelVersion(ModelCard card, Path directory) {

    public static final String ONNX_FILE = "model.onnx";
    public static final String CARD_FILE = "card.json";
    public static final String CHECKPOINT_FILE = "checkpoint.zip";

    public Path onnxFile() {
        return directory.resolve(ONNX_FILE);
    }

    public Path checkpointFile() {
        return directory.resolve(CHECKPOINT_FILE);
    }
}
