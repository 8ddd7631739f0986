package dev.svertka.train;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import dev.svertka.data.Datasets;
import dev.svertka.data.LabeledImages;
import dev.svertka.model.InputShape;
import dev.svertka.model.ModelCard;
import dev.svertka.model.Presets;
import dev.svertka.onnx.OnnxExporter;
import dev.svertka.onnx.ParityCheck;
import dev.svertka.onnx.ParityException;
import dev.svertka.onnx.ParityReport;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.RegistryException;

/**
 * One training run from data to a registered model: load, split, fit, evaluate on the test set,
 * export to ONNX, check ONNX Runtime against DL4J, store the version.
 */
public final class TrainingJob {

    /** Images on which DL4J and ONNX Runtime must agree before a model is published. */
    static final int PARITY_SAMPLES = 256;

    /**
     * What to train.
     *
     * @param trainLimit      use at most this many training images (0: all), for quick runs
     * @param validationSplit the fraction of training images held out for validation, taken from
     *                        the end as Keras' {@code validation_split} does
     */
    public record Spec(String data, String preset, String modelName, int epochs, int batchSize,
                       double validationSplit, long seed, int trainLimit) {
        public Spec {
            if (validationSplit < 0 || validationSplit >= 1) {
                throw new IllegalArgumentException("validation split must be in [0, 1), got " + validationSplit);
            }
        }
    }

    /** What the run produced and measured. */
    public record Result(ModelVersion version, List<Trainer.EpochMetrics> history, Evaluation test,
                         ParityReport parity, Datasets.Split data) {
    }

    private final PrintStream out;

    public TrainingJob(PrintStream out) {
        this.out = out;
    }

    public Result run(Spec spec, ModelRegistry registry) throws IOException, ParityException, RegistryException {
        out.println("Loading data: " + spec.data());
        Datasets.Split data = Datasets.load(spec.data(), spec.seed());
        out.println("Data: " + data.description());
        LabeledImages all = spec.trainLimit() > 0 && data.train().size() > spec.trainLimit()
                ? data.train().slice(0, spec.trainLimit()) : data.train();
        int validationSize = (int) Math.round(all.size() * spec.validationSplit());
        LabeledImages train = all.slice(0, all.size() - validationSize);
        LabeledImages validation = all.slice(all.size() - validationSize, all.size());
        out.printf("Training %s on %d images, validating on %d, testing on %d%n", spec.preset(), train.size(),
                validation.size(), data.test().size());

        InputShape shape = train.shape();
        MultiLayerNetwork network = Presets.build(spec.preset(), shape, train.classes(), spec.seed());
        List<Trainer.EpochMetrics> history = new Trainer(out).fit(network, train, validation,
                new Trainer.Options(spec.epochs(), spec.batchSize(), spec.seed()));
        Evaluation test = Evaluation.of(network, data.test(), 256);
        out.printf("Test: loss %.4f, accuracy %.4f on %d images%n", test.loss(), test.accuracy(), test.samples());

        ModelCard card = card(spec, data, history, test);
        byte[] onnx = OnnxExporter.export(network, shape, card.metadataProps());
        LabeledImages paritySample = data.test().slice(0, Math.min(PARITY_SAMPLES, data.test().size()));
        ParityReport parity = ParityCheck.verify(network, onnx, ImageBatches.batchOf(paritySample).getFeatures());
        out.printf("ONNX parity on %d test images: max |DL4J - ONNX Runtime| = %.2e, argmax mismatches %d%n",
                parity.samples(), parity.maxAbsDiff(), parity.argmaxMismatches());

        ModelVersion version = registry.publish(card, onnx, path -> ModelSerializer.writeModel(network, path.toFile(), true));
        out.println("Stored model " + version.card().reference() + " in " + version.directory());
        return new Result(version, history, test, parity, data);
    }

    private static ModelCard card(Spec spec, Datasets.Split data, List<Trainer.EpochMetrics> history,
                                  Evaluation test) {
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
        hyper.put("batch_size", String.valueOf(spec.batchSize()));
        hyper.put("validation_split", String.valueOf(spec.validationSplit()));
        hyper.put("seed", String.valueOf(spec.seed()));
        hyper.put("optimizer", "adam(1e-3)");
        if (spec.trainLimit() > 0) {
            hyper.put("train_limit", String.valueOf(spec.trainLimit()));
        }
        return new ModelCard(spec.modelName(), 0, data.train().classNames(), data.train().shape(),
                ModelCard.LAYOUT_NCHW, InputShape.PIXEL_SCALE, spec.preset(), data.description(), metrics, hyper,
                Instant.now().toString(), null);
    }
}
