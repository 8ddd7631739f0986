package dev.svertka.cli;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import dev.svertka.kafka.EmbeddedKafka;
import dev.svertka.backend.OneDnnHelpers;
import dev.svertka.io.Failures;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * Entry point of {@code quarkus-run.jar}: {@code java -jar quarkus-run.jar COMMAND [OPTIONS]}.
 * Settings that must be known before Quarkus starts (is this an inference role, which broker) are
 * taken from the command line first; see {@link LaunchSettings}. The demo's embedded broker is
 * started before Quarkus and stopped after it, so the pipeline's consumer can commit and leave
 * its group cleanly on the way out.
 */
@QuarkusMain
public class SvertkaMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        Optional<String> refused = TrainingStack.refusal(TrainingStack.present(), args);
        if (refused.isPresent()) {
            System.err.println(refused.get());
            System.exit(1);
        }
        LaunchSettings.apply(args);
        if (!LaunchSettings.needsDemoBroker(args)) {
            Quarkus.run(SvertkaMain.class, args);
            return;
        }
        AtomicInteger exitCode = new AtomicInteger();
        try (EmbeddedKafka kafka = DemoBroker.start()) {
            System.setProperty("kafka.bootstrap.servers", kafka.bootstrapServers());
            Quarkus.run(SvertkaMain.class, (code, error) -> exitCode.set(code), args);
        } catch (Exception e) {
            System.err.println("error: the demo's embedded Kafka broker failed: " + e.getMessage());
            exitCode.set(1);
        }
        System.exit(exitCode.get());
    }

    @Override
    public int run(String... args) {
        // before any command builds a network: DL4J decides at layer construction whether to attach oneDNN
        // (OneDnnHelpers is DL4J's: the inference app, which has no DL4J, must not load it)
        if (TrainingStack.present()) {
            OneDnnHelpers.enable();
        }
        return new CommandLine(SvertkaCommand.class, factory)
                .setExecutionExceptionHandler((error, commandLine, parsed) -> {
                    // failures the user can act on are reported as one line, not a stack trace
                    commandLine.getErr().println("error: " + Failures.describe(error));
                    return 1;
                })
                .execute(args);
    }
}
