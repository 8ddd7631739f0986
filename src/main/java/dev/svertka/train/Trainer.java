package dev.svertka.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;

import org.jboss.logging.Logger;


import dev.svertka.backend.OneDnnHelpers;
import dev.svertka.train.event.MetricsFile;
import dev.svertka.train.event.TrainingEvent.BatchProgress;
import dev.svertka.train.event.TrainingEvent.EpochFinished;
import dev.svertka.train.event.TrainingEvent.EpochStarted;
import dev.svertka.train.event.TrainingEvent.Note;
import dev.svertka.train.event.TrainingListener;
import dev.svertka.data.Augmentation;
import dev.svertka.data.Augmenter;
import dev.svertka.data.LabeledImages;

/**
 * Fits a network epoch by epoch, telling its listener of each epoch and mini-batch. Optionally:
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
    public static final String BEST_CHECKPOINT = "best.zip";
    public static final String LAST_CHECKPOINT = "last.zip";
    private static final Logger LOG = Logger.getLogger(Trainer.class);

    /**
     * @param epochs   the epoch to train up to (a resumed network starts after its last one)
     * @param patience stop after this many epochs without a lower validation loss; 0 never stops early
     * @param runDir   where metrics and checkpoints go; null writes none
     * @param cacheFeatures with frozen layers and no augmentation, run them once per image ({@link FeatureCache})
     */
    public record Options(int epochs, int batchSize, long seed, Augmentation augmentation, int patience,
                          Path runDir, boolean cacheFeatures) {
        public Options {
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs and batch size must be positive");
            }
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be >= 0, got " + patience);
            }
        }

        public Options(int epochs, int batchSize, long seed) {
            this(epochs, batchSize, seed, Augmentation.NONE, 0, null, true);
        }
    }

    /**
     * What one epoch measured; validation figures are NaN without a validation set. {@code onednnFallbacks}: layers
     * whose oneDNN helper failed and that run on DL4J's built-in path since (so far in the run).
     */
    public record EpochMetrics(int epoch, double loss, double accuracy, double valLoss, double valAccuracy,
                               double seconds, double imagesPerSecond, double learningRate, int onednnFallbacks) {
    }

    private final TrainingListener listener;

    public Trainer(TrainingListener listener) {
        this.listener = listener;
    }

    public List<EpochMetrics> fit(ComputationGraph network, LabeledImages train, LabeledImages validation,
                                  Options options) throws IOException {
        int first = network.getEpochCount() + 1;
        List<EpochMetrics> history = new ArrayList<>();
        if (first > options.epochs()) {
            note("The network has trained %d epochs already; nothing to do for %d", first - 1, options.epochs());
            return history;
        }
        TrainingListener listener = this.listener;
        if (options.runDir() != null) {
            Files.createDirectories(options.runDir());
            listener = TrainingListener.all(new MetricsFile(options.runDir()), listener);
        }
        boolean validating = validation != null && validation.size() > 0;
        if (options.patience() > 0 && !validating) {
            throw new IllegalArgumentException("early stopping watches the validation loss: give a validation split");
        }
        reportHelpers(network);
        Best best = new Best();
        try (Passes passes = passes(network, train, validating ? validation : null, options, listener)) {
            for (int epoch = first; epoch <= options.epochs(); epoch++) {
                EpochMetrics metrics = epoch(network, passes, train.size(), epoch, options.epochs(), listener);
                history.add(metrics);
                listener.on(new EpochFinished(options.epochs(), metrics));
                if (validating && metrics.valLoss() < best.loss) {
                    best.loss = metrics.valLoss();
                    best.epoch = epoch;
                    best.params = network.params().dup();
                    save(network, options.runDir(), BEST_CHECKPOINT);
                }
                save(network, options.runDir(), LAST_CHECKPOINT);
                if (options.patience() > 0 && epoch - best.epoch >= options.patience()) {
                    note("Early stopping: val_loss has not improved for %d epochs (best %.4f at epoch %d)",
                            options.patience(), best.loss, best.epoch);
                    break;
                }
            }
        }
        int last = history.get(history.size() - 1).epoch();
        if (best.params != null && best.epoch != last) {
            network.setParams(best.params);
            note("Keeping the weights of epoch %d (lowest val_loss %.4f)", best.epoch, best.loss);
        }
        return history;
    }

    /**
     * Keeps oneDNN away from layers it gets wrong (the guard switches it off for this network), then says which
     * layers run on it; loud when oneDNN was asked for and some layer did not get a helper.
     */
    private void reportHelpers(ComputationGraph network) {
        OneDnnHelpers.Survey survey = OneDnnHelpers.survey(network.getLayers());
        Optional<String> guarded = OneDnnHelpers.guard(network.getLayers());
        if (guarded.isPresent()) {
            note("oneDNN: off for this network, %s (DL4J 1.0.0-M2.1's oneDNN build gets such layers wrong);"
                    + " DL4J's built-in path", guarded.get());
        } else if (!OneDnnHelpers.inNatives()) {
            note("oneDNN: not in the loaded ND4J natives; layers run on DL4J's built-in path (%s)",
                    survey.describe());
        } else if (!OneDnnHelpers.requested()) {
            note("oneDNN: layer helpers switched off (-D%s=true); built-in path (%s)",
                    OneDnnHelpers.DISABLE_PROPERTY, survey.describe());
        } else if (!survey.without().isEmpty()) {
            String warning = String.format("WARNING: oneDNN was asked for but layers %s have no helper (%s): they"
                    + " train on DL4J's slower built-in path (a network built before -D%s=false was set?)",
                    survey.without(), survey.describe(), OneDnnHelpers.DISABLE_PROPERTY);
            note("%s", warning);
            LOG.warn(warning);
        } else {
            note("oneDNN layer helpers: %s", survey.describe());
        }
    }

    private void note(String format, Object... args) {
        listener.on(new Note(String.format(format, args)));
    }

    private static final class Best {
        double loss = Double.POSITIVE_INFINITY;
        int epoch;
        INDArray params;
    }

    /**
     * Full passes over the images, or, with a frozen part and no augmentation, the rest trained on what the frozen
     * part makes of each image once ({@link FeatureCache}). Augmented images differ every epoch: full passes then.
     */
    private Passes passes(ComputationGraph network, LabeledImages train, LabeledImages validation, Options options,
                          TrainingListener listener) {
        if (FeatureCache.applies(network)) {
            if (options.cacheFeatures() && options.augmentation().isNone()) {
                note("Frozen layers run once per image: the rest trains on their cached output");
                return FeatureCache.of(network, train, validation, options.batchSize(), options.seed(), listener);
            }
            note("Frozen layers run in every pass (%s)", options.cacheFeatures()
                    ? "augmentation changes the images every epoch, so their output cannot be cached"
                    : "feature caching is off");
        }
        ImageBatches batches = options.augmentation().isNone()
                ? ImageBatches.shuffled(train, options.batchSize(), options.seed())
                : ImageBatches.augmented(train, options.batchSize(), options.seed(),
                new Augmenter(options.augmentation(), train.shape()));
        return new ImagePasses(network, batches, sample(train, options.seed()), validation);
    }

    private EpochMetrics epoch(ComputationGraph network, Passes passes, int images, int epoch, int epochs,
                               TrainingListener listener) {
        listener.on(new EpochStarted(epoch, epochs, images));
        double learningRate = network.getLearningRate(network.getConfiguration().getNetworkOutputs().get(0));
        long started = System.nanoTime();
        double lossSum = 0;
        long seen = 0;
        passes.start(epoch);
        while (passes.hasNext()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("training cancelled in epoch " + epoch);
            }
            int n = passes.fitNext();
            lossSum += passes.loss() * n;
            seen += n;
            listener.on(new BatchProgress(epoch, epochs, seen, images, lossSum / seen));
        }
        passes.finish();
        double seconds = (System.nanoTime() - started) / 1e9;
        Evaluation trainEval = passes.train();
        Evaluation valEval = passes.validation();
        return new EpochMetrics(epoch, lossSum / seen, trainEval.accuracy(),
                valEval == null ? Double.NaN : valEval.loss(), valEval == null ? Double.NaN : valEval.accuracy(),
                seconds, seen / seconds, learningRate, fallbacks(network, epoch));
    }

    private int fallbacks(ComputationGraph network, int epoch) {
        List<String> layers = OneDnnHelpers.fallbacks(network.getLayers());
        if (!layers.isEmpty()) {
            LOG.warnf("oneDNN failed in layers %s by epoch %d: they run on DL4J's built-in path now", layers, epoch);
        }
        return layers.size();
    }

    private static void save(ComputationGraph network, Path runDir, String name) throws IOException {
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
