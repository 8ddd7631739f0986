package dev.svertka.train.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.train.Trainer.EpochMetrics;
import dev.svertka.train.event.TrainingEvent.EpochFinished;
import dev.svertka.train.event.TrainingEvent.EpochStarted;

/**
 * {@code metrics.jsonl} in a run directory: one JSON object per finished epoch, Keras' history names. A run
 * starting at epoch 1 begins a new file; a resumed one appends.
 */
public final class MetricsFile implements TrainingListener {

    public static final String NAME = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public MetricsFile(Path runDir) {
        this.file = runDir.resolve(NAME);
    }

    @Override
    public void on(TrainingEvent event) {
        try {
            if (event instanceof EpochStarted started && started.epoch() == 1) {
                Files.deleteIfExists(file);
            } else if (event instanceof EpochFinished finished) {
                Files.writeString(file, JSON.writeValueAsString(fields(finished.metrics())) + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** One epoch as named in the file (and in the trainer API); absent figures are left out (JSON has no NaN). */
    public static Map<String, Object> fields(EpochMetrics m) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", m.epoch());
        line.put("loss", m.loss());
        line.put("accuracy", m.accuracy());
        if (!Double.isNaN(m.valLoss())) {
            line.put("val_loss", m.valLoss());
            line.put("val_accuracy", m.valAccuracy());
        }
        line.put("lr", m.learningRate());
        line.put("seconds", m.seconds());
        line.put("images_per_second", m.imagesPerSecond());
        line.put("onednn_fallbacks", m.onednnFallbacks());
        return line;
    }
}
