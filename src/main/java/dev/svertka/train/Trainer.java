package dev.svertka.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import dev.svertka.data.LabeledImages;

/** Fits a network epoch by epoch, with a progress bar and a Keras-style line per epoch. */
public final class Trainer {

    /** Training accuracy is measured on at most this many training images, in inference mode, after each epoch. */
    static final int ACCURACY_SAMPLE = 10_000;

    public record Options(int epochs, int batchSize, long seed) {
        public Options {
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs and batch size must be positive");
            }
        }
    }

    /** What one epoch measured; validation figures are NaN without a validation set. */
    public record EpochMetrics(int epoch, double loss, double accuracy, double valLoss, double valAccuracy,
                               double seconds, double imagesPerSecond) {
    }

    private final PrintStream out;

    public Trainer(PrintStream out) {
        this.out = out;
    }

    public List<EpochMetrics> fit(MultiLayerNetwork network, LabeledImages train, LabeledImages validation,
                                  Options options) {
        ImageBatches batches = ImageBatches.shuffled(train, options.batchSize(), options.seed());
        LabeledImages accuracySample = sample(train, options.seed());
        List<EpochMetrics> history = new ArrayList<>();
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            ProgressBar bar = ProgressBar.onStderr(String.format("Epoch %d/%d", epoch, options.epochs()),
                    train.size());
            long started = System.nanoTime();
            double lossSum = 0;
            long seen = 0;
            batches.reset();
            while (batches.hasNext()) {
                DataSet batch = batches.next();
                network.fit(batch);
                int n = batch.numExamples();
                lossSum += network.score() * n;
                seen += n;
                bar.update(seen, String.format("- loss: %.4f", lossSum / seen));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            bar.finish();
            Evaluation trainEval = Evaluation.of(network, accuracySample, 256);
            Evaluation valEval = validation == null || validation.size() == 0 ? null
                    : Evaluation.of(network, validation, 256);
            EpochMetrics metrics = new EpochMetrics(epoch, lossSum / seen, trainEval.accuracy(),
                    valEval == null ? Double.NaN : valEval.loss(), valEval == null ? Double.NaN : valEval.accuracy(),
                    seconds, seen / seconds);
            history.add(metrics);
            out.println(describe(metrics, options.epochs()));
        }
        return history;
    }

    static String describe(EpochMetrics m, int epochs) {
        String line = String.format("Epoch %d/%d - %.1fs (%.0f images/s) - loss: %.4f - accuracy: %.4f", m.epoch(),
                epochs, m.seconds(), m.imagesPerSecond(), m.loss(), m.accuracy());
        if (!Double.isNaN(m.valLoss())) {
            line += String.format(" - val_loss: %.4f - val_accuracy: %.4f", m.valLoss(), m.valAccuracy());
        }
        return line;
    }

    private static LabeledImages sample(LabeledImages train, long seed) {
        if (train.size() <= ACCURACY_SAMPLE) {
            return train;
        }
        Random random = new Random(seed);
        int[] picked = random.ints(0, train.size()).distinct().limit(ACCURACY_SAMPLE).toArray();
        return train.select(picked);
    }
}
