package dev.svertka.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@TopCommand
@Command(name = "svertka", mixinStandardHelpOptions = true, version = "svertka 0.1.0",
        description = "Train convolutional image classifiers with DL4J, export them to ONNX and serve them on Kafka.",
        subcommands = {SummaryCommand.class, TrainCommand.class, EvaluateCommand.class, ServeCommand.class,
                SendCommand.class, DemoCommand.class, PreviewCommand.class, TrainerCommand.class,
                RegistryCommand.class, GeneratePhotosCommand.class})
public class SvertkaCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
