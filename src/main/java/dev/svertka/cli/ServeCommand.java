package dev.svertka.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import dev.svertka.registry.RegistryException;
import dev.svertka.serve.ModelHolder;
import dev.svertka.serve.ServeConfig;
import dev.svertka.serve.TopicsConfig;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Classify image events from Kafka and publish predictions until stopped (the inference role).")
public class ServeCommand implements Callable<Integer> {

    @Option(names = "--model", description = "NAME or NAME:VERSION in the registry (default: svertka.serve.model).")
    String model;

    // these are read before Quarkus starts (LaunchSettings); declared here for --help and validation
    @Option(names = "--registry", description = "Model registry directory (default: svertka.serve.registry).")
    Path registry;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: kafka.bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--topic", description = "Topic of image events (default: svertka.topics.images).")
    String topic;

    @Inject
    ServeConfig config;

    @Inject
    ModelHolder models;

    @Inject
    ModelRegistry store;

    @Inject
    TopicsConfig topics;

    @Inject
    ModelsConfig modelsConfig;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    @Override
    public Integer call() throws Exception {
        String reference = model != null ? model : config.model().orElseThrow(() -> new IllegalArgumentException(
                "no model to serve: give --model NAME[:VERSION] or set svertka.serve.model"));
        if (awaitsFirstVersion(reference)) {
            // an inference pod may start before the first training run: it stays unready, consuming nothing,
            // until the model watcher sees a version announced live
            System.out.printf("Waiting for model %s: no version in registry %s yet (it has: %s); it is served once"
                    + " announced live on topic %s. Stop with Ctrl+C.%n", reference, store.root(), store.names(),
                    modelsConfig.topic());
        } else {
            ModelVersion version = store.resolve(reference);
            models.load(version);
            System.out.printf("Serving %s: %s -> %s (dead letters: %s) on %s. Stop with Ctrl+C.%n",
                    version.card().reference(), topics.images(), topics.predictions(), topics.deadLetters(), brokers);
        }
        Quarkus.waitForExit();
        return 0;
    }

    /** A model followed by name (not pinned to a version) that has no version in the registry yet. */
    private boolean awaitsFirstVersion(String reference) throws RegistryException {
        return modelsConfig.follow() && !reference.contains(":") && store.versions(reference).isEmpty();
    }
}
