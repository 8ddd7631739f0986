package dev.svertka.cli;

import java.util.Optional;

import picocli.CommandLine.Command;

/**
 * Whether DL4J/ND4J are on the class path: the full app has them, the inference app (built without those jars)
 * does not. Decided before Quarkus starts, so that a training command in the inference app stops with one line
 * instead of a {@link NoClassDefFoundError}, and before the demo would start its broker.
 */
final class TrainingStack {

    /** A class of deeplearning4j-nn, which the inference app leaves out with the rest of the stack. */
    private static final String PROBE = "org.deeplearning4j.nn.multilayer.MultiLayerNetwork";

    private TrainingStack() {
    }

    static boolean present() {
        try {
            Class.forName(PROBE, false, TrainingStack.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Why the command in {@code args} cannot run, when it needs the stack and the stack is absent. */
    static Optional<String> refusal(boolean present, String... args) {
        if (present || args.length == 0) {
            return Optional.empty();
        }
        for (Class<?> command : SvertkaCommand.class.getAnnotation(Command.class).subcommands()) {
            if (command.isAnnotationPresent(NeedsTrainingStack.class)
                    && command.getAnnotation(Command.class).name().equals(args[0])) {
                return Optional.of("error: `" + args[0] + "` needs the trainer image (svertka-trainer) or"
                        + " target/quarkus-app; this is the inference image, without DL4J/ND4J");
            }
        }
        return Optional.empty();
    }
}
