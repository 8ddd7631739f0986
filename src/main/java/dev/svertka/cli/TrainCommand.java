package dev.svertka.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.TrainingJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a preset, export it to ONNX (checked against DL4J) and store it as a new model version.")
public class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "synthetic",
            description = "'synthetic', 'synthetic:N' or a directory of IDX files (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--preset", defaultValue = "seed-cnn", description = "Network preset (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--validation-split", defaultValue = "0.1",
            description = "Fraction of training images held out for validation, from the end as in Keras (default: ${DEFAULT-VALUE}).")
    double validationSplit;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", defaultValue = "0",
            description = "Use at most this many training images, 0 for all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--registry", defaultValue = "registry", description = "Model registry directory (default: ${DEFAULT-VALUE}).")
    Path registry;

    @Option(names = "--model", defaultValue = "classifier",
            description = "Name to store the model under; a new version is added (default: ${DEFAULT-VALUE}).")
    String model;

    @Override
    public Integer call() throws Exception {
        TrainingJob.Spec spec = new TrainingJob.Spec(data, preset, model, epochs, batchSize, validationSplit, seed,
                limit);
        new TrainingJob(System.out).run(spec, new ModelRegistry(registry));
        return 0;
    }
}
