package dev.svertka.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.registry.ImportedCard;
import dev.svertka.registry.LivePointer;
import dev.svertka.registry.ModelAnnouncement;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import dev.svertka.registry.RegistryException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "List, show, promote, roll back and import models in the registry.",
        subcommands = {RegistryCommand.ListModels.class, RegistryCommand.Show.class, RegistryCommand.Promote.class,
                RegistryCommand.Rollback.class, RegistryCommand.Import.class})
public class RegistryCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The registry directory, shared by every subcommand. */
    static class Location {
        @Option(names = "--registry", defaultValue = "registry", description = "Model registry directory (default: ${DEFAULT-VALUE}).")
        Path registry;

        ModelRegistry open() {
            return new ModelRegistry(registry);
        }
    }

    /**
     * A change of the live version (promote, rollback), announced on the models topic unless told not to,
     * so that the inference pods following it switch.
     */
    abstract static class LiveChange implements Callable<Integer> {
        @Mixin
        Location location;

        @Option(names = "--announce", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Announce the new live version on the models topic (default: ${DEFAULT-VALUE}).")
        boolean announce;

        @Mixin
        KafkaAddress address;

        @Inject
        ModelsConfig models;

        @Inject
        KafkaClients kafka;

        /** Moves the live pointer and returns the version now live. */
        abstract ModelVersion change(ModelRegistry registry) throws RegistryException;

        @Override
        public Integer call() throws RegistryException {
            ModelVersion live = change(location.open());
            System.out.println("Live: " + live.card().reference());
            if (!announce) {
                System.out.println("Not announced (--no-announce): pods following the models topic keep their version.");
                return 0;
            }
            announce(live, address.over(kafka), models.topic());
            return 0;
        }
    }

    /**
     * Tells the inference pods following {@code topic} that {@code live} is the live version; a failure says that
     * the registry already serves it, and how to announce it again.
     */
    static void announce(ModelVersion live, KafkaClients kafka, String topic) throws RegistryException {
        try (ModelAnnouncer announcer = new ModelAnnouncer(kafka, topic)) {
            ModelAnnouncement announcement = announcer.announce(live);
            System.out.printf("Announced %s (sha256 %s) on topic %s at %s%n", announcement.reference(),
                    announcement.sha256(), topic, kafka.bootstrap());
        } catch (RegistryException e) {
            throw new RegistryException(e.getMessage() + "; the registry already serves " + live.card().reference()
                    + " as live: run 'registry promote " + live.card().reference() + "' to announce it", e);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Models, their versions and the live one.")
    static class ListModels implements Callable<Integer> {
        @Mixin
        Location location;

        @Override
        public Integer call() throws RegistryException {
            ModelRegistry registry = location.open();
            if (!Files.isDirectory(registry.root())) {
                throw new RegistryException("No registry at " + registry.root().toAbsolutePath()
                        + ": no such directory (give --registry DIR)");
            }
            List<String> names = registry.names();
            if (names.isEmpty()) {
                System.out.println("No models in " + registry.root());
                return 0;
            }
            System.out.printf("%-24s %-20s %s%n", "MODEL", "VERSIONS", "LIVE");
            for (String name : names) {
                Optional<LivePointer> live = registry.live(name);
                System.out.printf("%-24s %-20s %s%n", name, registry.versions(name),
                        live.map(p -> p.version() + (p.history().isEmpty() ? "" : " (before: " + p.history() + ")"))
                                .orElse("-"));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "A version's card (the live one, else the latest, when no version is given).")
    static class Show implements Callable<Integer> {
        @Mixin
        Location location;

        @Parameters(paramLabel = "NAME[:VERSION]")
        String reference;

        @Inject
        ObjectMapper json;

        @Override
        public Integer call() throws Exception {
            ModelRegistry registry = location.open();
            ModelVersion version = registry.resolve(reference);
            Optional<LivePointer> live = registry.live(version.card().name());
            System.out.printf("%s in %s (%s)%n", version.card().reference(), version.directory(),
                    live.filter(p -> p.version() == version.card().version()).isPresent() ? "live" : "not live");
            System.out.println(json.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(version.card()));
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Make NAME:VERSION the live version and announce it to the inference pods.")
    static class Promote extends LiveChange {
        @Parameters(paramLabel = "NAME:VERSION")
        String reference;

        @Override
        ModelVersion change(ModelRegistry registry) throws RegistryException {
            if (reference.lastIndexOf(':') < 0) {
                throw new IllegalArgumentException("give the version to promote: NAME:VERSION, not '" + reference + "'");
            }
            ModelVersion version = registry.resolve(reference);
            return registry.promote(version.card().name(), version.card().version());
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Make the version live before the current one live again, and announce it.")
    static class Rollback extends LiveChange {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        ModelVersion change(ModelRegistry registry) throws RegistryException {
            return registry.rollback(name);
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Store an ONNX image classifier made elsewhere (float NCHW input, probabilities out) "
                    + "with a card JSON giving name, labels, input {channels, height, width}, pixelScale and optionally"
                    + " preprocessing {channelOrder, mean, std, resize, resizeTo, crop} (README: the input recipe).")
    static class Import implements Callable<Integer> {
        @Mixin
        Location location;

        @Option(names = "--onnx", required = true, description = "The ONNX model file.")
        Path onnx;

        @Option(names = "--card", required = true, description = "The card JSON.")
        Path card;

        @Option(names = "--name", description = "Model name (default: the card's).")
        String name;

        @Override
        public Integer call() throws RegistryException {
            ModelVersion stored = location.open().importModel(onnx, ImportedCard.read(card, name));
            System.out.printf("Imported %s into %s (sha256 %s); make it live with: registry promote %s%n",
                    stored.card().reference(), stored.directory(), stored.card().sha256(), stored.card().reference());
            return 0;
        }
    }
}
