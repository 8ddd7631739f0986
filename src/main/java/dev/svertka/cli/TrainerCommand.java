package dev.svertka.cli;

import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.svertka.jobs.TrainerConfig;
import dev.svertka.registry.ModelRegistry;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;

@NeedsTrainingStack
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Serve the training-job REST API (the trainer role) until stopped: POST /jobs with a job spec"
                + " (as train --spec), GET /jobs[/ID], DELETE /jobs/ID, GET /jobs/ID/report. Bearer token from"
                + " svertka.trainer.token.")
public class TrainerCommand implements Callable<Integer> {

    @Inject
    TrainerConfig config;

    @Inject
    ModelRegistry registry;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int port;

    @Override
    public Integer call() {
        if (config.token().filter(t -> !t.isBlank()).isEmpty()) {
            throw new IllegalArgumentException("the trainer API needs a bearer token: set svertka.trainer.token"
                    + " (environment SVERTKA_TRAINER_TOKEN)");
        }
        System.out.printf("Trainer API on port %d: /jobs (bearer token required), one job at a time, registry %s."
                + " Stop with Ctrl+C.%n", port, registry.root());
        Quarkus.waitForExit();
        return 0;
    }
}
