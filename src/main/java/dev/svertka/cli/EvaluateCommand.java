package dev.svertka.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.deeplearning4j.nn.graph.ComputationGraph;

import dev.svertka.card.ModelCard;
import dev.svertka.data.Datasets;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.serve.OnnxClassifier;
import dev.svertka.serve.Prediction;
import dev.svertka.report.TrainingReport;
import dev.svertka.runtime.OnnxSessions;
import dev.svertka.train.Evaluation;
import dev.svertka.train.Graphs;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@NeedsTrainingStack
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Accuracy of a stored model (its ONNX file, as served) on a dataset's test images.")
public class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "NAME or NAME:VERSION in the registry.")
    String model;

    @Option(names = "--registry", defaultValue = "registry", description = "Model registry directory (default: ${DEFAULT-VALUE}).")
    Path registry;

    @Option(names = "--data", defaultValue = "synthetic",
            description = "The test images: 'synthetic[:N]' (its test split), a directory of class folders (all of them;"
                    + " its test/ when it has train/ and test/), of IDX files (t10k-* only), or kafka:TOPIC?...; classes"
                    + " are matched to the model's by name (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "256",
            description = "Images per ONNX Runtime run, and per DL4J run for --report (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--report", description = "Also write an HTML report with pictures here (confusion matrix,"
            + " per-class scores, misclassified images, filters, activations, saliency; from the DL4J checkpoint).")
    Path report;

    /** For kafka: data: the cluster of those without bootstrap=, and the security settings of all. */
    @Inject
    KafkaClients kafka;

    @Override
    public Integer call() throws Exception {
        ModelVersion version = new ModelRegistry(registry).resolve(model);
        ModelCard card = version.card();
        // the card's recipe and labels: the test pictures are resized, cropped and normalised as the model was
        // trained, their classes matched to the model's by name
        Datasets.Reading reading = new Datasets.Reading(card.recipe(), kafka, Datasets.Reading.DEFAULT.progress());
        LabeledImages test = Datasets.testSet(data, seed, card.labels(), reading);
        if (!test.shape().equals(card.input())) {
            throw new IllegalArgumentException("model " + card.reference() + " takes " + card.input()
                    + " but the data has " + test.shape());
        }
        test = test.withRecipe(card.recipe());
        long correct = 0;
        try (OnnxClassifier classifier = OnnxClassifier.open(version, OnnxSessions.Options.DEFAULT)) {
            for (int from = 0; from < test.size(); from += batchSize) {
                int to = Math.min(test.size(), from + batchSize);
                float[][] probabilities = classifier.classify(test.inputs(from, to), to - from);
                for (int i = 0; i < probabilities.length; i++) {
                    if (Prediction.topK(probabilities[i], test.classNames(), 1).get(0).index() == test.labels()[from + i]) {
                        correct++;
                    }
                }
            }
        }
        System.out.printf("model=%s samples=%d%n", card.reference(), test.size());
        System.out.printf("accuracy=%.4f%n", (double) correct / test.size());
        if (report != null) {
            ComputationGraph network = Graphs.restore(version.checkpointFile(), false);
            System.out.println("Report: " + TrainingReport.write(report, "Svertka: evaluation of "
                    + card.reference(), network, List.of(), test, Evaluation.of(network, test, batchSize)));
        }
        return 0;
    }
}
