package dev.svertka.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.svertka.data.SyntheticPhotos;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate-photos", mixinStandardHelpOptions = true,
        description = "Write a colour photo data set drawn by Svertka: OUT/train/CLASS/*.jpg|png and OUT/test/CLASS/*,"
                + " photos of 160x120 to 1024x768 whose class is an object's shape and colour on a textured background.")
public class GeneratePhotosCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Directory to write train/ and test/ class folders into.")
    Path out;

    @Option(names = "--per-class", defaultValue = "100", description = "Training photos per class (default: ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--test-per-class", description = "Test photos per class; 0: no test/ (default: a quarter of --per-class).")
    Integer testPerClass;

    @Option(names = "--classes", defaultValue = "5", description = "Number of classes, at most 10 (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed: the same seed writes the same files (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        SyntheticPhotos.Plan plan = new SyntheticPhotos.Plan(perClass,
                testPerClass != null ? testPerClass : Math.max(1, perClass / 4), classes, seed);
        SyntheticPhotos.write(out, plan, (written, total) -> {
            // about every tenth of the way, and the end
            if (written == total || written % Math.max(1, total / 10) == 0) {
                System.out.printf("Generated %d/%d photos%n", written, total);
            }
        });
        System.out.printf("Wrote %d classes (%s) to %s: %d training and %d test photos each%n", classes,
                String.join(", ", SyntheticPhotos.classNames(classes)), out, plan.perClass(), plan.testPerClass());
        return 0;
    }
}
