package dev.svertka.train.event;

import java.nio.file.Path;

import dev.svertka.train.Trainer.EpochMetrics;

/**
 * What a training run reports as it goes, typed so that each listener (the console, the metrics file, the
 * trainer service's job view and its event stream) takes what it needs without parsing text.
 */
public sealed interface TrainingEvent {

    /** The event as a person reads it in a log. */
    String text();

    /** A line for a person: what was loaded, which backend, which layers run on oneDNN... */
    record Note(String text) implements TrainingEvent {
    }

    /** Reading or preparing data: {@code done} of {@code total} items of {@code what} (e.g. topic records). */
    record DataProgress(String what, long done, long total) implements TrainingEvent {
        @Override
        public String text() {
            return what + " " + done + "/" + total;
        }
    }

    /** Epoch {@code epoch} of {@code epochs} begins over {@code images} training images. */
    record EpochStarted(int epoch, int epochs, long images) implements TrainingEvent {
        @Override
        public String text() {
            return String.format("Epoch %d/%d", epoch, epochs);
        }
    }

    /** Within an epoch: images fitted so far and their mean loss. */
    record BatchProgress(int epoch, int epochs, long images, long total, double loss) implements TrainingEvent {
        @Override
        public String text() {
            return String.format("Epoch %d/%d %d/%d - loss: %.4f", epoch, epochs, images, total, loss);
        }
    }

    /** An epoch's figures, as {@code metrics.jsonl} records them. */
    record EpochFinished(int epochs, EpochMetrics metrics) implements TrainingEvent {
        /** The Keras-style epoch line. */
        @Override
        public String text() {
            EpochMetrics m = metrics;
            String line = String.format("Epoch %d/%d - %.1fs (%.0f images/s) - loss: %.4f - accuracy: %.4f",
                    m.epoch(), epochs, m.seconds(), m.imagesPerSecond(), m.loss(), m.accuracy());
            if (!Double.isNaN(m.valLoss())) {
                line += String.format(" - val_loss: %.4f - val_accuracy: %.4f", m.valLoss(), m.valAccuracy());
            }
            if (m.onednnFallbacks() > 0) {
                line += " - onednn_fallbacks: " + m.onednnFallbacks();
            }
            return line;
        }
    }

    /** The trained network measured on the test set. */
    record Tested(double loss, double accuracy, int samples) implements TrainingEvent {
        @Override
        public String text() {
            return String.format("Test: loss %.4f, accuracy %.4f on %d images", loss, accuracy, samples);
        }
    }

    /** DL4J and ONNX Runtime compared on test images before the model may be published. */
    record ParityChecked(int samples, double maxAbsDiff, int argmaxMismatches) implements TrainingEvent {
        @Override
        public String text() {
            return String.format("ONNX parity on %d test images: max |DL4J - ONNX Runtime| = %.2e, argmax mismatches"
                    + " %d", samples, maxAbsDiff, argmaxMismatches);
        }
    }

    /** A new version stored in the registry ({@code name:version}) at {@code directory}. */
    record Published(String reference, Path directory) implements TrainingEvent {
        @Override
        public String text() {
            return "Stored model " + reference + " in " + directory;
        }
    }

    /** The run's HTML report. */
    record ReportWritten(Path page) implements TrainingEvent {
        @Override
        public String text() {
            return "Report: " + page;
        }
    }

    /** The run stopped without a model: why. */
    record Failed(String reason) implements TrainingEvent {
        @Override
        public String text() {
            return "Failed: " + reason;
        }
    }
}
