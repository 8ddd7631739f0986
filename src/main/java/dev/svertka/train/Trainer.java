package dev.svertka.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.backend.OneDnnHelpers;
import dev.svertka.data.Augmentation;
import dev.svertka.data.Augmenter;
import dev.svertka.data.LabeledImages;

/**
 * Fits a network epoch by epoch, with a progress bar and a Keras-style line per epoch. Optionally:
 * training images augmented anew each epoch (prepared on a prefetch thread), early stopping when the
 * validation loss has not improved for {@code patience} epochs, and a run directory that receives
 * {@code metrics.jsonl} (one JSON object per epoch), {@code best.zip} (the checkpoint with the lowest
 * validation loss so far) and {@code last.zip} (to resume from). With a validation set the network
 * ends with its best epoch's weights. A network restored from a checkpoint continues after its last
 * finished epoch.
 */
public final class Trainer {

    /** Training accuracy is measured on at most this many training images, in inference mode, after each epoch. */
    static final int ACCURACY_SAMPLE = 10_000;
    public static final String METRICS_FILE = "metrics.jsonl";
    public static final String BEST_CHECKPOINT = "best.zip";
    public static final String LAST_CHECKPOINT = "last.zip";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(Trainer.class);

    /**
     * @param epochs   the epoch to train up to (a resumed network starts after its last one)
     * @param patience stop after this many epochs without a lower validation loss; 0 never stops early
     * @param runDir   where metrics and checkpoints go; null writes none
     */
    public record Options(int epochs, int batchSize, long seed, Augmentation augmentation, int patience,
                          Path runDir) {
        public Options {
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs and batch size must be positive");
            }
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be >= 0, got " + patience);
            }
        }

        public Options(int epochs, int batchSize, long seed) {
            this(epochs, batchSize, seed, Augmentation.NONE, 0, null);
        }
    }

    /**
     * What one epoch measured; validation figures are NaN without a validation set. {@code onednnFallbacks}: layers
     * whose oneDNN helper failed and that run on DL4J's built-in path since (so far in the run).
     */
    public record EpochMetrics(int epoch, double loss, double accuracy, double valLoss, double valAccuracy,
                               double seconds, double imagesPerSecond, double learningRate, int onednnFallbacks) {
    }

    private final PrintStream out;

    public Trainer(PrintStream out) {
        this.out = out;
    }

    public List<EpochMetrics> fit(MultiLayerNetwork network, LabeledImages train, LabeledImages validation,
                                  Options options) throws IOException {
        int first = network.getEpochCount() + 1;
        List<EpochMetrics> history = new ArrayList<>();
        if (first > options.epochs()) {
            out.printf("The network has trained %d epochs already; nothing to do for %d%n", first - 1,
                    options.epochs());
            return history;
        }
        if (options.runDir() != null) {
            Files.createDirectories(options.runDir());
            if (first == 1) {
                Files.deleteIfExists(options.runDir().resolve(METRICS_FILE)); // a new run; a resumed one appends
            }
        }
        boolean validating = validation != null && validation.size() > 0;
        if (options.patience() > 0 && !validating) {
            throw new IllegalArgumentException("early stopping watches the validation loss: give a validation split");
        }
        reportHelpers(network);
        ImageBatches batches = options.augmentation().isNone()
                ? ImageBatches.shuffled(train, options.batchSize(), options.seed())
                : ImageBatches.augmented(train, options.batchSize(), options.seed(),
                new Augmenter(options.augmentation(), train.shape()));
        // the next batches (decoded, augmented) are prepared on another thread while this one fits
        AsyncDataSetIterator prefetched = new AsyncDataSetIterator(batches, 2, false);
        LabeledImages accuracySample = sample(train, options.seed());
        Best best = new Best();
        try {
            for (int epoch = first; epoch <= options.epochs(); epoch++) {
                EpochMetrics metrics = epoch(network, prefetched, train.size(), accuracySample, validation, epoch,
                        options.epochs());
                history.add(metrics);
                out.println(describe(metrics, options.epochs()));
                record(options.runDir(), metrics);
                if (validating && metrics.valLoss() < best.loss) {
                    best.loss = metrics.valLoss();
                    best.epoch = epoch;
                    best.params = network.params().dup();
                    save(network, options.runDir(), BEST_CHECKPOINT);
                }
                save(network, options.runDir(), LAST_CHECKPOINT);
                if (options.patience() > 0 && epoch - best.epoch >= options.patience()) {
                    out.printf("Early stopping: val_loss has not improved for %d epochs (best %.4f at epoch %d)%n",
                            options.patience(), best.loss, best.epoch);
                    break;
                }
            }
        } finally {
            prefetched.shutdown();
        }
        int last = history.get(history.size() - 1).epoch();
        if (best.params != null && best.epoch != last) {
            network.setParams(best.params);
            out.printf("Keeping the weights of epoch %d (lowest val_loss %.4f)%n", best.epoch, best.loss);
        }
        return history;
    }

    /**
     * Keeps oneDNN away from layers it gets wrong (the guard switches it off for this network), then says which
     * layers run on it; loud when oneDNN was asked for and some layer did not get a helper.
     */
    private void reportHelpers(MultiLayerNetwork network) {
        OneDnnHelpers.Survey survey = OneDnnHelpers.survey(network);
        Optional<String> guarded = OneDnnHelpers.guard(network.getLayers());
        if (guarded.isPresent()) {
            out.printf("oneDNN: off for this network, %s (DL4J 1.0.0-M2.1's oneDNN build gets such layers wrong);"
                    + " DL4J's built-in path%n", guarded.get());
        } else if (!OneDnnHelpers.inNatives()) {
            out.printf("oneDNN: not in the loaded ND4J natives; layers run on DL4J's built-in path (%s)%n",
                    survey.describe());
        } else if (!OneDnnHelpers.requested()) {
            out.printf("oneDNN: layer helpers switched off (-D%s=true); built-in path (%s)%n",
                    OneDnnHelpers.DISABLE_PROPERTY, survey.describe());
        } else if (!survey.without().isEmpty()) {
            String warning = String.format("WARNING: oneDNN was asked for but layers %s have no helper (%s): they"
                    + " train on DL4J's slower built-in path (a network built before -D%s=false was set?)",
                    survey.without(), survey.describe(), OneDnnHelpers.DISABLE_PROPERTY);
            out.println(warning);
            LOG.warn(warning);
        } else {
            out.printf("oneDNN layer helpers: %s%n", survey.describe());
        }
    }

    private static final class Best {
        double loss = Double.POSITIVE_INFINITY;
        int epoch;
        INDArray params;
    }

    private EpochMetrics epoch(MultiLayerNetwork network, AsyncDataSetIterator batches, int images,
                               LabeledImages accuracySample, LabeledImages validation, int epoch, int epochs) {
        ProgressBar bar = ProgressBar.onStderr(String.format("Epoch %d/%d", epoch, epochs), images);
        double learningRate = network.getLearningRate(network.getnLayers() - 1);
        long started = System.nanoTime();
        double lossSum = 0;
        long seen = 0;
        batches.reset();
        while (batches.hasNext()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("training cancelled in epoch " + epoch);
            }
            DataSet batch = batches.next();
            network.fit(batch);
            int n = batch.numExamples();
            lossSum += network.score() * n;
            seen += n;
            bar.update(seen, String.format("- loss: %.4f", lossSum / seen));
        }
        network.incrementEpochCount(); // moves epoch-based learning-rate schedules on
        double seconds = (System.nanoTime() - started) / 1e9;
        bar.finish();
        Evaluation trainEval = Evaluation.of(network, accuracySample, 256);
        Evaluation valEval = validation == null || validation.size() == 0 ? null
                : Evaluation.of(network, validation, 256);
        return new EpochMetrics(epoch, lossSum / seen, trainEval.accuracy(),
                valEval == null ? Double.NaN : valEval.loss(), valEval == null ? Double.NaN : valEval.accuracy(),
                seconds, seen / seconds, learningRate, fallbacks(network, epoch));
    }

    private int fallbacks(MultiLayerNetwork network, int epoch) {
        List<String> layers = OneDnnHelpers.fallbacks(network);
        if (!layers.isEmpty()) {
            LOG.warnf("oneDNN failed in layers %s by epoch %d: they run on DL4J's built-in path now", layers, epoch);
        }
        return layers.size();
    }

    static String describe(EpochMetrics m, int epochs) {
        String line = String.format("Epoch %d/%d - %.1fs (%.0f images/s) - loss: %.4f - accuracy: %.4f", m.epoch(),
                epochs, m.seconds(), m.imagesPerSecond(), m.loss(), m.accuracy());
        if (!Double.isNaN(m.valLoss())) {
            line += String.format(" - val_loss: %.4f - val_accuracy: %.4f", m.valLoss(), m.valAccuracy());
        }
        if (m.onednnFallbacks() > 0) {
            line += " - onednn_fallbacks: " + m.onednnFallbacks();
        }
        return line;
    }

    /** One line of {@code metrics.jsonl}, Keras' history names; absent figures are left out (JSON has no NaN). */
    static String json(EpochMetrics m) throws IOException {
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
        return JSON.writeValueAsString(line);
    }

    private static void record(Path runDir, EpochMetrics metrics) throws IOException {
        if (runDir != null) {
            Files.writeString(runDir.resolve(METRICS_FILE), json(metrics) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static void save(MultiLayerNetwork network, Path runDir, String name) throws IOException {
        if (runDir != null) {
            // written aside and moved, so a crash mid-write never leaves a broken checkpoint to resume from
            Path partial = runDir.resolve(name + ".partial");
            ModelSerializer.writeModel(network, partial.toFile(), true);
            Files.move(partial, runDir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
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
