package dev.svertka.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import dev.svertka.train.event.ConsoleListener;
import dev.svertka.data.Datasets;
import dev.svertka.data.IdxDataset;
import dev.svertka.data.LabeledImages;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;
import dev.svertka.train.Evaluation;
import dev.svertka.train.FineTuning;
import dev.svertka.train.Graphs;
import dev.svertka.train.Trainer;

/**
 * The transfer-learning comparison of issue 3, not a test: its name keeps it out of {@code ./mvnw verify}. Run it with
 * <pre>./mvnw -B test -Dtest=TransferBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * On Fashion-MNIST (Debian's {@code dataset-fashion-mnist}) it pretrains {@code seed-cnn} on every training image
 * of classes 0-4, then learns classes 5-9 from only the first {@code bench.perClass} (100) training images of each,
 * twice: fine-tuned (the pretrained net, frozen up to {@code bench.freezeUpTo}, new head) and the same net from
 * scratch, with the same images, batches, epochs and optimiser. Both are measured on every test image of classes
 * 5-9 after each epoch; the line to quote is the last epoch's. The best epoch of each is printed too, chosen on the
 * test set, so an optimistic bound, to show that more or fewer epochs would not change the verdict.
 * Results also go to {@code target/benchmark/transfer.md}.
 */
class TransferBenchmark {

    private static final Path DATA = Path.of(System.getProperty("bench.data", Datasets.DEBIAN_FASHION_MNIST.toString()));
    private static final int PRETRAIN_EPOCHS = Integer.getInteger("bench.pretrainEpochs", 2);
    private static final int PER_CLASS = Integer.getInteger("bench.perClass", 100);
    private static final int EPOCHS = Integer.getInteger("bench.epochs", 20);
    private static final int BATCH = Integer.getInteger("bench.batch", 32);
    private static final String FREEZE_UP_TO = System.getProperty("bench.freezeUpTo", "dropout_1");
    private static final double LEARNING_RATE = Double.parseDouble(System.getProperty("bench.lr", "0.001"));
    private static final long SEED = 42;

    private final List<String> lines = new ArrayList<>();
    private final Trainer trainer = new Trainer(new ConsoleListener(System.out));

    @Test
    void run() throws Exception {
        IdxDataset data = IdxDataset.open(DATA);
        LabeledImages oldTask = data.train().classRange(0, 5, Integer.MAX_VALUE);
        LabeledImages oldTest = data.test().classRange(0, 5, Integer.MAX_VALUE);
        LabeledImages few = data.train().classRange(5, 10, PER_CLASS);
        LabeledImages newTest = data.test().classRange(5, 10, Integer.MAX_VALUE);
        report("%s: pretrain %s on classes 0-4 %s (%d images, %d epochs, batch 128)", DATA, SeedCnn.NAME,
                oldTask.classNames(), oldTask.size(), PRETRAIN_EPOCHS);

        long started = System.nanoTime();
        ComputationGraph pretrained = Graphs.of(Presets.build(SeedCnn.NAME, oldTask.shape(), oldTask.classes(), SEED));
        trainer.fit(pretrained, oldTask, null, new Trainer.Options(PRETRAIN_EPOCHS, 128, SEED));
        report("pretrained: test accuracy %.4f on classes 0-4 (%d images), %.0f s", Evaluation.of(pretrained, oldTest,
                256).accuracy(), oldTest.size(), (System.nanoTime() - started) / 1e9);

        report("new task: classes 5-9 %s, %d training images (%d per class), tested on %d; %d epochs, batch %d,"
                + " Adam %s", few.classNames(), few.size(), PER_CLASS, newTest.size(), EPOCHS, BATCH, LEARNING_RATE);
        // the new head replaces the output layer only (it reads dropout_2, after the dense layer)
        ComputationGraph tuned = FineTuning.prepare(pretrained, few.shape(), few.classes(), FREEZE_UP_TO, "dropout_2",
                new Adam(LEARNING_RATE), SEED);
        report("fine-tuned: frozen up to %s (%d layers), new head", FREEZE_UP_TO, FineTuning.frozenLayers(tuned));
        ComputationGraph scratch = Graphs.of(Presets.build(SeedCnn.NAME, few.shape(), few.classes(), SEED));
        scratch.setLearningRate(LEARNING_RATE);
        double[] tunedCurve = curve(tuned, few, newTest);
        double[] scratchCurve = curve(scratch, few, newTest);

        report("| epoch | fine-tuned | from scratch |");
        report("|---|---|---|");
        for (int e = 0; e < EPOCHS; e++) {
            report("| %d | %.4f | %.4f |", e + 1, tunedCurve[e], scratchCurve[e]);
        }
        report("after %d epochs: fine-tuned %.4f, from scratch %.4f (difference %+.4f)", EPOCHS,
                tunedCurve[EPOCHS - 1], scratchCurve[EPOCHS - 1], tunedCurve[EPOCHS - 1] - scratchCurve[EPOCHS - 1]);
        report("best epoch (chosen on the test set): fine-tuned %.4f, from scratch %.4f", max(tunedCurve),
                max(scratchCurve));
        report("total %.0f s", (System.nanoTime() - started) / 1e9);

        Path out = Path.of("target", "benchmark");
        Files.createDirectories(out);
        Files.write(out.resolve("transfer.md"), lines, StandardCharsets.UTF_8);
    }

    /** Test accuracy after each epoch; each epoch shuffles anew (its own seed). */
    private double[] curve(ComputationGraph network, LabeledImages train, LabeledImages test) throws Exception {
        double[] accuracy = new double[EPOCHS];
        for (int e = 0; e < EPOCHS; e++) {
            // the trainer trains up to an epoch count, and a fine-tuned net may carry its base's
            trainer.fit(network, train, null, new Trainer.Options(network.getEpochCount() + 1, BATCH, SEED + e));
            accuracy[e] = Evaluation.of(network, test, 256).accuracy();
        }
        return accuracy;
    }

    private static double max(double[] values) {
        return java.util.Arrays.stream(values).max().orElseThrow();
    }

    private void report(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println(line);
        lines.add(line);
    }
}
