package dev.svertka.cli;

import java.util.concurrent.Callable;

import dev.svertka.card.InputShape;
import dev.svertka.model.ModelSummary;
import dev.svertka.model.Presets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@NeedsTrainingStack
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a preset's layers, output shapes and parameter counts (as Keras' model.summary()).")
public class SummaryCommand implements Callable<Integer> {

    @Option(names = "--preset", defaultValue = "seed-cnn", description = "Network preset (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--classes", defaultValue = "10", description = "Number of classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--input", defaultValue = "1x28x28", converter = InputShapeConverter.class,
            description = "Input as CHANNELSxHEIGHTxWIDTH (default: ${DEFAULT-VALUE}).")
    InputShape input;

    @Override
    public Integer call() {
        System.out.println("Model: " + preset + " (" + Presets.named(preset).description() + ")");
        System.out.print(ModelSummary.of(Presets.build(preset, input, classes, 1), Presets.named(preset).inputType(input))
                .table());
        return 0;
    }
}
