package dev.svertka.train;

import dev.svertka.report.TrainingReport;


import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.factory.Nd4j;

import dev.svertka.data.Datasets;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.LabeledTopic;
import dev.svertka.data.Splits;
import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;
import dev.svertka.card.Preprocessing;
import dev.svertka.card.ModelCard;
import dev.svertka.io.Failures;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.model.Presets;
import dev.svertka.onnx.OnnxExporter;
import dev.svertka.onnx.ParityCheck;
import dev.svertka.onnx.ParityException;
import dev.svertka.onnx.ParityReport;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.RegistryException;
import dev.svertka.train.event.ConsoleListener;
import dev.svertka.train.event.EpochHistory;
import dev.svertka.train.event.TrainingEvent.DataProgress;
import dev.svertka.train.event.TrainingEvent.Failed;
import dev.svertka.train.event.TrainingEvent.Note;
import dev.svertka.train.event.TrainingEvent.ParityChecked;
import dev.svertka.train.event.TrainingEvent.Published;
import dev.svertka.train.event.TrainingEvent.ReportWritten;
import dev.svertka.train.event.TrainingEvent.Tested;
import dev.svertka.train.event.TrainingListener;

/**
 * One training run from data to a registered model: load, split, build (a preset, a checkpoint to
 * resume, or a base model to fine-tune), fit, evaluate on the test set, export to ONNX, check ONNX
 * Runtime against DL4J, store the version.
 */
public final class TrainingPipeline {

    /** Images on which DL4J and ONNX Runtime must agree before a model is published. */
    static final int PARITY_SAMPLES = 256;

    /** What the run produced and measured. */
    public record Result(ModelVersion version, List<Trainer.EpochMetrics> history, Evaluation test,
                         ParityReport parity, Datasets.Split data, ComputationGraph network) {
    }

    /** The data of a run, split three ways. */
    record Prepared(LabeledImages train, LabeledImages validation, LabeledImages test, Datasets.Split loaded) {
    }

    private final TrainingListener listener;
    private final KafkaClients kafka;
    private final BaseModels bases;

    /**
     * A pipeline printing to {@code out}, whose {@code kafka:} data defaults to localhost:9092 and whose zoo bases
     * use DL4J's cache ({@code ~/.deeplearning4j}) and may download into it.
     */
    public TrainingPipeline(PrintStream out) {
        this(out, TrainingListener.NONE);
    }

    /** As {@link #TrainingPipeline(PrintStream)}, also telling {@code also} (the demo's run shown in the console). */
    public TrainingPipeline(PrintStream out, TrainingListener also) {
        this(new ConsoleListener(out), also);
    }

    private TrainingPipeline(ConsoleListener console, TrainingListener also) {
        this(TrainingListener.all(console, also), KafkaClients.at(LabeledTopic.DEFAULT_BOOTSTRAP),
                ZooModels.defaults(console));
    }

    /**
     * A pipeline that tells {@code listener} how it goes, reads {@code kafka:} data as a client of {@code kafka} (at
     * its cluster unless {@code bootstrap=} says otherwise) and takes zoo bases from {@code zoo}.
     */
    public TrainingPipeline(TrainingListener listener, KafkaClients kafka, ZooModels zoo) {
        this.listener = listener;
        this.kafka = kafka;
        this.bases = new BaseModels(zoo);
    }

    /** Runs the job; a failure is also told to the listener, then thrown. */
    public Result run(JobSpec spec, ModelRegistry registry) throws IOException, ParityException, RegistryException {
        try {
            return runSteps(spec, registry);
        } catch (IOException | ParityException | RegistryException | RuntimeException e) {
            listener.on(new Failed(Failures.describe(e)));
            throw e;
        }
    }

    private Result runSteps(JobSpec spec, ModelRegistry registry)
            throws IOException, ParityException, RegistryException {
        JobCheck.verify(spec, registry.root());
        Prepared data = prepare(spec);
        // which ND4J backend the classpath brought (CPU, or CUDA in a GPU build) and how many devices it sees
        note("ND4J backend: %s, %d device(s)", Nd4j.getBackend().getClass().getSimpleName(),
                Nd4j.getAffinityManager().getNumberOfDevices());
        ComputationGraph network = network(spec, data.train(), registry);
        EpochHistory epochs = new EpochHistory();
        int before = network.getEpochCount();
        network = fit(spec, network, data, epochs);
        List<Trainer.EpochMetrics> history = epochs.epochs();
        if (history.isEmpty()) {
            throw new IOException("nothing was trained: the checkpoint has reached epoch " + before
                    + "; ask for more --epochs");
        }
        Evaluation test = Evaluation.of(network, data.test(), 256);
        listener.on(new Tested(test.loss(), test.accuracy(), test.samples()));

        ModelCard card = card(spec, data, history, test, network);
        InputShape shape = data.train().shape();
        byte[] onnx = OnnxExporter.export(network, shape, card.metadataProps());
        LabeledImages paritySample = data.test().slice(0, Math.min(PARITY_SAMPLES, data.test().size()));
        ParityReport parity = ParityCheck.verify(network, onnx, ImageBatches.batchOf(paritySample).getFeatures());
        listener.on(new ParityChecked(parity.samples(), parity.maxAbsDiff(), parity.argmaxMismatches()));

        ComputationGraph trained = network;
        // the stored file is exported again once numbered, so that its metadata names its version
        ModelVersion version = registry.publish(card,
                numbered -> OnnxExporter.export(trained, shape, OnnxExporter.metadata(numbered)),
                path -> ModelSerializer.writeModel(trained, path.toFile(), true));
        listener.on(new Published(version.card().reference(), version.directory()));
        Path report = TrainingReport.write(spec.runDirectory().resolve("report"), "Svertka: "
                + version.card().reference() + " (" + card.preset() + ")", network, history, data.test(), test);
        listener.on(new ReportWritten(report));
        return new Result(version, history, test, parity, data.loaded(), network);
    }

    Prepared prepare(JobSpec spec) throws IOException {
        note("Loading data: %s", spec.data());
        if (spec.preprocessing() == null && spec.recipe().preprocessing() != Preprocessing.DEFAULT) {
            note("Input recipe of %s's pretrained weights: %s", spec.base(), spec.recipe().preprocessing());
        }
        Datasets.Reading reading = new Datasets.Reading(spec.recipe(), kafka, new TopicProgress());
        Datasets.Split loaded = Datasets.load(spec.data(), spec.seed(), reading);
        note("Data: %s", loaded.description());
        LabeledImages test = loaded.test();
        if (spec.testData() != null) {
            test = Datasets.testSet(spec.testData(), spec.seed(), loaded.train(), reading);
            note("Test data: %s (%d images)", spec.testData(), test.size());
        }
        LabeledImages all = spec.limit() > 0 && loaded.train().size() > spec.limit()
                ? loaded.train().slice(0, spec.limit()) : loaded.train();
        Splits.Holdout holdout = spec.stratified() ? Splits.stratified(all, spec.validationSplit(), spec.seed())
                : Splits.last(all, spec.validationSplit());
        if (holdout.train().size() == 0) {
            throw new IOException("no training images in " + spec.data() + " (" + loaded.description()
                    + "): a model trained on nothing is not stored");
        }
        if (test.size() == 0) {
            if (holdout.validation().size() == 0) {
                throw new IOException("no test images in " + spec.data() + ": give a test set (--test-data, or train/"
                        + " and test/ folders) or a validation split");
            }
            note("No test set: the validation images stand in for it");
            test = holdout.validation();
        }
        note("Training %s on %d images, validating on %d, testing on %d",
                spec.base() != null ? "from " + spec.base() : spec.preset(), holdout.train().size(),
                holdout.validation().size(), test.size());
        return new Prepared(holdout.train(), holdout.validation(), test, loaded);
    }

    /** Records read from a topic, told to the listener once their number is known. */
    private final class TopicProgress implements LabeledTopic.Progress {
        @Override
        public void update(long read, long target) {
            listener.on(new DataProgress("Reading records", read, target));
        }

        @Override
        public void done() {
            // the last update has read == target
        }
    }

    private void note(String format, Object... args) {
        listener.on(new Note(String.format(format, args)));
    }

    private ComputationGraph network(JobSpec spec, LabeledImages train, ModelRegistry registry)
            throws IOException, RegistryException {
        if (spec.resume() != null) {
            ComputationGraph resumed = Graphs.restore(spec.resumeFrom(), true);
            note("Resuming %s after epoch %d", spec.resume(), resumed.getEpochCount());
            return resumed;
        }
        if (spec.base() != null) {
            ComputationGraph base = bases.load(spec.base(), train.shape(), train.classes(), spec.seed(), registry);
            Optimizer optimizer = fineTuningOptimizer(spec);
            ComputationGraph tuned;
            try {
                tuned = FineTuning.prepare(base, train.shape(), train.classes(), spec.freezeUpTo(), spec.featuresAt(),
                        optimizer.updater(), spec.seed());
            } catch (IllegalArgumentException e) {
                throw new IOException("cannot fine-tune " + spec.base() + ": " + e.getMessage(), e);
            }
            BaseModels.checkExports(spec.base(), tuned, train.shape());
            note("Fine-tuning %s: new head for %d classes, %d layers frozen, %s", spec.base(),
                    train.classes(), FineTuning.frozenLayers(tuned), optimizer.describe());
            return tuned;
        }
        MultiLayerConfiguration conf = Presets.named(spec.preset()).configuration(train.shape(), train.classes(),
                spec.seed());
        if (spec.optimizerChoice() != null) {
            spec.optimizerChoice().applyTo(conf);
        }
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return Graphs.of(network);
    }

    /** Trains {@code network} (unfreezing replaces the object) and returns the trained one. */
    private ComputationGraph fit(JobSpec spec, ComputationGraph network, Prepared data, EpochHistory history)
            throws IOException {
        Trainer trainer = new Trainer(TrainingListener.all(history, listener));
        boolean unfreezes = spec.unfreezeAfter() > 0 && FineTuning.frozenLayers(network) > 0
                && spec.unfreezeAfter() < spec.epochs();
        if (unfreezes) {
            trainer.fit(network, data.train(), data.validation(), options(spec, spec.unfreezeAfter()));
            Optimizer optimizer = fineTuningOptimizer(spec);
            // the whole network now learns, more gently than the new head did
            Optimizer gentler = optimizer.withLearningRate(optimizer.learningRate() / 10);
            network = FineTuning.unfreeze(network, gentler.updater());
            note("Unfreezing all layers after epoch %d, %s", network.getEpochCount(), gentler.describe());
        }
        trainer.fit(network, data.train(), data.validation(), options(spec, spec.epochs()));
        return network;
    }

    /** Fine-tuning defaults to Adam at a tenth of the usual rate: the base's features should move little. */
    private static Optimizer fineTuningOptimizer(JobSpec spec) {
        return spec.optimizerChoice() != null ? spec.optimizerChoice() : Optimizer.DEFAULT.withLearningRate(1e-4);
    }

    private static Trainer.Options options(JobSpec spec, int epochs) {
        return new Trainer.Options(epochs, spec.batchSize(), spec.seed(), spec.augmentation(), spec.patience(),
                spec.runDirectory(), spec.cacheFeatures());
    }

    private static ModelCard card(JobSpec spec, Prepared data, List<Trainer.EpochMetrics> history, Evaluation test,
                                  ComputationGraph network) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        Trainer.EpochMetrics last = history.get(history.size() - 1);
        metrics.put("loss", last.loss());
        metrics.put("accuracy", last.accuracy());
        if (!Double.isNaN(last.valLoss())) {
            metrics.put("val_loss", last.valLoss());
            metrics.put("val_accuracy", last.valAccuracy());
        }
        metrics.put("test_loss", test.loss());
        metrics.put("test_accuracy", test.accuracy());
        Map<String, String> hyper = new LinkedHashMap<>();
        hyper.put("epochs", String.valueOf(spec.epochs()));
        hyper.put("epochs_trained", String.valueOf(last.epoch()));
        hyper.put("batch_size", String.valueOf(spec.batchSize()));
        hyper.put("validation_split", String.valueOf(spec.validationSplit()));
        hyper.put("split", spec.stratified() ? "stratified" : "last");
        hyper.put("seed", String.valueOf(spec.seed()));
        hyper.put("optimizer", spec.optimizerChoice() != null ? spec.optimizerChoice().describe() : "adam(1e-3)");
        hyper.put("augmentation", spec.augmentation().toString());
        if (spec.patience() > 0) {
            hyper.put("patience", String.valueOf(spec.patience()));
        }
        if (spec.limit() > 0) {
            hyper.put("train_limit", String.valueOf(spec.limit()));
        }
        if (spec.base() != null) {
            hyper.put("base", spec.base());
            hyper.put("freeze_up_to", String.valueOf(spec.freezeUpTo()));
            hyper.put("features_at", FineTuning.features(network)); // the default resolved: lineage
            hyper.put("unfreeze_after", String.valueOf(spec.unfreezeAfter()));
        }
        String preset = spec.base() != null ? "fine-tuned from " + spec.base() : spec.preset();
        InputRecipe recipe = data.train().recipe();
        return new ModelCard(spec.model(), 0, data.train().classNames(), recipe.input(),
                ModelCard.LAYOUT_NCHW, recipe.pixelScale(), recipe.preprocessing(), preset, data.loaded().description(), metrics, hyper,
                Instant.now().toString(), null);
    }
}
