package dev.svertka.train;

import dev.svertka.report.TrainingReport;


import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.factory.Nd4j;

import dev.svertka.data.Augmentation;
import dev.svertka.data.Datasets;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.LabeledTopic;
import dev.svertka.data.Splits;
import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import dev.svertka.model.Presets;
import dev.svertka.onnx.OnnxExporter;
import dev.svertka.onnx.ParityCheck;
import dev.svertka.onnx.ParityException;
import dev.svertka.onnx.ParityReport;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.RegistryException;

/**
 * One training run from data to a registered model: load, split, build (a preset, a checkpoint to
 * resume, or a base model to fine-tune), fit, evaluate on the test set, export to ONNX, check ONNX
 * Runtime against DL4J, store the version.
 */
public final class TrainingPipeline {

    /** Images on which DL4J and ONNX Runtime must agree before a model is published. */
    static final int PARITY_SAMPLES = 256;

    /**
     * What to train.
     *
     * @param trainLimit      use at most this many training images (0: all), for quick runs
     * @param validationSplit the fraction of training images held out for validation: the last ones, as
     *                        Keras' {@code validation_split}, or a seeded share of each class when stratified
     * @param testData        a separate test set (a {@code --data} value), else the data's own test split
     * @param imageShape      the size class-folder images are resized to (null: 1x28x28)
     * @param optimizer       optimiser and learning-rate schedule (null: the preset's Adam 1e-3)
     * @param patience        early stopping on the validation loss (0: off)
     * @param runDir          metrics, checkpoints and the HTML report of the run (null: none)
     * @param resume          a {@code last.zip}/{@code best.zip} checkpoint to continue training
     * @param base            fine-tune this model: a registry reference {@code name[:version]}, a checkpoint
     *                        {@code .zip}, a Keras Sequential {@code .h5} or a DL4J zoo model
     *                        {@code zoo:NAME[?weights=...]} (see {@link BaseModels}); its head is replaced for this
     *                        data's classes
     * @param freezeUpTo      with a base: freeze the layers up to this name or index (null: train all)
     * @param unfreezeAfter   with a frozen base: train everything after this many epochs (0: never)
     */
    public record Spec(String data, String preset, String modelName, int epochs, int batchSize,
                       double validationSplit, long seed, int trainLimit, String testData, boolean stratified,
                       InputShape imageShape, Augmentation augmentation, Optimizer optimizer, int patience,
                       Path runDir, Path resume, String base, String freezeUpTo, int unfreezeAfter) {
        public Spec {
            if (validationSplit < 0 || validationSplit >= 1) {
                throw new IllegalArgumentException("validation split must be in [0, 1), got " + validationSplit);
            }
            if (resume != null && base != null) {
                throw new IllegalArgumentException("resume a checkpoint or fine-tune a base model, not both");
            }
            augmentation = augmentation == null ? Augmentation.NONE : augmentation;
        }

        public Spec(String data, String preset, String modelName, int epochs, int batchSize, double validationSplit,
                    long seed, int trainLimit) {
            this(data, preset, modelName, epochs, batchSize, validationSplit, seed, trainLimit, null, false, null,
                    Augmentation.NONE, null, 0, null, null, null, null, 0);
        }

        /** Where the data comes from and how it is split. */
        public Spec withData(String newTestData, boolean newStratified, InputShape newImageShape) {
            return new Spec(data, preset, modelName, epochs, batchSize, validationSplit, seed, trainLimit, newTestData,
                    newStratified, newImageShape, augmentation, optimizer, patience, runDir, resume, base, freezeUpTo,
                    unfreezeAfter);
        }

        /** How to train. */
        public Spec withTraining(Augmentation newAugmentation, Optimizer newOptimizer, int newPatience,
                                 Path newRunDir, Path newResume) {
            return new Spec(data, preset, modelName, epochs, batchSize, validationSplit, seed, trainLimit, testData,
                    stratified, imageShape, newAugmentation, newOptimizer, newPatience, newRunDir, newResume, base,
                    freezeUpTo, unfreezeAfter);
        }

        /** What to start from. */
        public Spec withBase(String newBase, String newFreezeUpTo, int newUnfreezeAfter) {
            return new Spec(data, preset, modelName, epochs, batchSize, validationSplit, seed, trainLimit, testData,
                    stratified, imageShape, augmentation, optimizer, patience, runDir, resume, newBase, newFreezeUpTo,
                    newUnfreezeAfter);
        }
    }

    /** What the run produced and measured. */
    public record Result(ModelVersion version, List<Trainer.EpochMetrics> history, Evaluation test,
                         ParityReport parity, Datasets.Split data, MultiLayerNetwork network) {
    }

    /** The data of a run, split three ways. */
    record Prepared(LabeledImages train, LabeledImages validation, LabeledImages test, Datasets.Split loaded) {
    }

    private final PrintStream out;
    private final String kafkaBootstrap;
    private final BaseModels bases;

    /**
     * A job whose {@code kafka:} data defaults to localhost:9092 and whose zoo bases use DL4J's cache
     * ({@code ~/.deeplearning4j}) and may download into it.
     */
    public TrainingPipeline(PrintStream out) {
        this(out, LabeledTopic.DEFAULT_BOOTSTRAP, ZooModels.defaults(out));
    }

    /**
     * A job that reads {@code kafka:} data without {@code bootstrap=} from {@code kafkaBootstrap} and takes
     * zoo bases from {@code zoo}.
     */
    public TrainingPipeline(PrintStream out, String kafkaBootstrap, ZooModels zoo) {
        this.out = out;
        this.kafkaBootstrap = kafkaBootstrap;
        this.bases = new BaseModels(zoo);
    }

    public Result run(Spec spec, ModelRegistry registry) throws IOException, ParityException, RegistryException {
        Prepared data = prepare(spec);
        // which ND4J backend the classpath brought (CPU, or CUDA in a GPU build) and how many devices it sees
        out.printf("ND4J backend: %s, %d device(s)%n", Nd4j.getBackend().getClass().getSimpleName(),
                Nd4j.getAffinityManager().getNumberOfDevices());
        MultiLayerNetwork network = network(spec, data.train(), registry);
        Fitted fitted = fit(spec, network, data);
        List<Trainer.EpochMetrics> history = fitted.history();
        if (history.isEmpty()) {
            throw new IOException("nothing was trained: the checkpoint has reached epoch " + network.getEpochCount()
                    + "; ask for more --epochs");
        }
        network = fitted.network();
        Evaluation test = Evaluation.of(network, data.test(), 256);
        out.printf("Test: loss %.4f, accuracy %.4f on %d images%n", test.loss(), test.accuracy(), test.samples());

        ModelCard card = card(spec, data, history, test);
        InputShape shape = data.train().shape();
        byte[] onnx = OnnxExporter.export(network, shape, card.metadataProps());
        LabeledImages paritySample = data.test().slice(0, Math.min(PARITY_SAMPLES, data.test().size()));
        ParityReport parity = ParityCheck.verify(network, onnx, ImageBatches.batchOf(paritySample).getFeatures());
        out.printf("ONNX parity on %d test images: max |DL4J - ONNX Runtime| = %.2e, argmax mismatches %d%n",
                parity.samples(), parity.maxAbsDiff(), parity.argmaxMismatches());

        MultiLayerNetwork trained = network;
        // the stored file is exported again once numbered, so that its metadata names its version
        ModelVersion version = registry.publish(card,
                numbered -> OnnxExporter.export(trained, shape, OnnxExporter.metadata(numbered)),
                path -> ModelSerializer.writeModel(trained, path.toFile(), true));
        out.println("Stored model " + version.card().reference() + " in " + version.directory());
        if (spec.runDir() != null) {
            Path report = TrainingReport.write(spec.runDir().resolve("report"), "Svertka: " + version.card().reference()
                    + " (" + card.preset() + ")", network, history, data.test(), test);
            out.println("Report: " + report);
        }
        return new Result(version, history, test, parity, data.loaded(), network);
    }

    /** The trained network (unfreezing replaces the object) and what each epoch measured. */
    private record Fitted(MultiLayerNetwork network, List<Trainer.EpochMetrics> history) {
    }

    Prepared prepare(Spec spec) throws IOException {
        out.println("Loading data: " + spec.data());
        InputShape imageShape = spec.imageShape() != null ? spec.imageShape() : Datasets.DEFAULT_FOLDER_SHAPE;
        Datasets.Reading reading = new Datasets.Reading(imageShape, kafkaBootstrap, new TopicProgress());
        Datasets.Split loaded = Datasets.load(spec.data(), spec.seed(), reading);
        out.println("Data: " + loaded.description());
        LabeledImages test = loaded.test();
        if (spec.testData() != null) {
            test = Datasets.testSet(spec.testData(), spec.seed(), loaded.train(), reading);
            out.println("Test data: " + spec.testData() + " (" + test.size() + " images)");
        }
        LabeledImages all = spec.trainLimit() > 0 && loaded.train().size() > spec.trainLimit()
                ? loaded.train().slice(0, spec.trainLimit()) : loaded.train();
        Splits.Holdout holdout = spec.stratified() ? Splits.stratified(all, spec.validationSplit(), spec.seed())
                : Splits.last(all, spec.validationSplit());
        if (test.size() == 0) {
            if (holdout.validation().size() == 0) {
                throw new IOException("no test images in " + spec.data() + ": give a test set (--test-data, or train/"
                        + " and test/ folders) or a validation split");
            }
            out.println("No test set: the validation images stand in for it");
            test = holdout.validation();
        }
        out.printf("Training %s on %d images, validating on %d, testing on %d%n",
                spec.base() != null ? "from " + spec.base() : spec.preset(), holdout.train().size(),
                holdout.validation().size(), test.size());
        return new Prepared(holdout.train(), holdout.validation(), test, loaded);
    }

    /** A progress bar over the records read from a topic, drawn once their number is known. */
    private static final class TopicProgress implements LabeledTopic.Progress {
        private ProgressBar bar;

        @Override
        public void update(long read, long target) {
            if (bar == null) {
                bar = ProgressBar.onStderr("Reading records", target);
            }
            bar.update(read, "");
        }

        @Override
        public void done() {
            if (bar != null) {
                bar.finish();
            }
        }
    }

    private MultiLayerNetwork network(Spec spec, LabeledImages train, ModelRegistry registry)
            throws IOException, RegistryException {
        if (spec.resume() != null) {
            MultiLayerNetwork resumed = BaseModels.checkpoint(spec.resume());
            out.printf("Resuming %s after epoch %d%n", spec.resume(), resumed.getEpochCount());
            return resumed;
        }
        if (spec.base() != null) {
            MultiLayerNetwork base = bases.load(spec.base(), train.shape(), train.classes(), spec.seed(), registry);
            Optimizer optimizer = fineTuningOptimizer(spec);
            MultiLayerNetwork tuned = FineTuning.prepare(base, train.classes(), spec.freezeUpTo(),
                    optimizer.updater(), spec.seed());
            out.printf("Fine-tuning %s: new head for %d classes, %d layers frozen, %s%n", spec.base(),
                    train.classes(), FineTuning.frozenLayers(tuned), optimizer.describe());
            return tuned;
        }
        MultiLayerConfiguration conf = Presets.named(spec.preset()).configuration(train.shape(), train.classes(),
                spec.seed());
        if (spec.optimizer() != null) {
            spec.optimizer().applyTo(conf);
        }
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    private Fitted fit(Spec spec, MultiLayerNetwork network, Prepared data) throws IOException {
        Trainer trainer = new Trainer(out);
        List<Trainer.EpochMetrics> history = new ArrayList<>();
        boolean unfreezes = spec.unfreezeAfter() > 0 && FineTuning.frozenLayers(network) > 0
                && spec.unfreezeAfter() < spec.epochs();
        if (unfreezes) {
            history.addAll(trainer.fit(network, data.train(), data.validation(), options(spec, spec.unfreezeAfter())));
            Optimizer optimizer = fineTuningOptimizer(spec);
            // the whole network now learns, more gently than the new head did
            Optimizer gentler = optimizer.withLearningRate(optimizer.learningRate() / 10);
            network = FineTuning.unfreeze(network, gentler.updater());
            out.printf("Unfreezing all layers after epoch %d, %s%n", network.getEpochCount(), gentler.describe());
        }
        history.addAll(trainer.fit(network, data.train(), data.validation(), options(spec, spec.epochs())));
        return new Fitted(network, history);
    }

    /** Fine-tuning defaults to Adam at a tenth of the usual rate: the base's features should move little. */
    private static Optimizer fineTuningOptimizer(Spec spec) {
        return spec.optimizer() != null ? spec.optimizer() : Optimizer.DEFAULT.withLearningRate(1e-4);
    }

    private static Trainer.Options options(Spec spec, int epochs) {
        return new Trainer.Options(epochs, spec.batchSize(), spec.seed(), spec.augmentation(), spec.patience(),
                spec.runDir());
    }

    private static ModelCard card(Spec spec, Prepared data, List<Trainer.EpochMetrics> history, Evaluation test) {
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
        hyper.put("optimizer", spec.optimizer() != null ? spec.optimizer().describe() : "adam(1e-3)");
        hyper.put("augmentation", spec.augmentation().toString());
        if (spec.patience() > 0) {
            hyper.put("patience", String.valueOf(spec.patience()));
        }
        if (spec.trainLimit() > 0) {
            hyper.put("train_limit", String.valueOf(spec.trainLimit()));
        }
        if (spec.base() != null) {
            hyper.put("base", spec.base());
            hyper.put("freeze_up_to", String.valueOf(spec.freezeUpTo()));
            hyper.put("unfreeze_after", String.valueOf(spec.unfreezeAfter()));
        }
        String preset = spec.base() != null ? "fine-tuned from " + spec.base() : spec.preset();
        return new ModelCard(spec.modelName(), 0, data.train().classNames(), data.train().shape(),
                ModelCard.LAYOUT_NCHW, InputShape.PIXEL_SCALE, preset, data.loaded().description(), metrics, hyper,
                Instant.now().toString(), null);
    }
}
