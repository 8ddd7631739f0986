package dev.svertka.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import javax.imageio.ImageIO;

import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;
import dev.svertka.data.Augmentation;
import dev.svertka.data.AugmentationPreview;
import dev.svertka.data.Augmenter;
import dev.svertka.data.Datasets;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.KafkaClients;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Write a PNG grid of augmented training images: each row an image, its original first.")
public class PreviewCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "synthetic",
            description = "'synthetic', 'synthetic:N', a directory of IDX files or of class folders (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--image-size", defaultValue = "1x28x28", converter = InputShapeConverter.class,
            description = "CHANNELSxHEIGHTxWIDTH class-folder images are read at (default: ${DEFAULT-VALUE}).")
    InputShape imageSize;

    @Option(names = "--augment", required = true,
            description = "Augmentation, e.g. rotation_range=15,width_shift_range=0.1@0.5,zoom_range=0.1,fill_mode=reflect.")
    String augment;

    @Option(names = "--images", defaultValue = "8", description = "Rows: training images shown (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--variants", defaultValue = "8",
            description = "Augmented versions per image (default: ${DEFAULT-VALUE}).")
    int variants;

    @Option(names = "--scale", defaultValue = "3", description = "Enlargement of each tile (default: ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", defaultValue = "augmentation-preview.png",
            description = "PNG file to write (default: ${DEFAULT-VALUE}).")
    Path output;

    /** For kafka: data: the cluster of those without bootstrap=, and the security settings of all. */
    @Inject
    KafkaClients kafka;

    @Override
    public Integer call() throws Exception {
        if (images < 1 || variants < 1 || scale < 1) {
            throw new IllegalArgumentException("--images, --variants and --scale must be positive");
        }
        Augmentation augmentation = Augmentation.parse(augment);
        Datasets.Reading reading = new Datasets.Reading(InputRecipe.of(imageSize), kafka, Datasets.Reading.DEFAULT.progress());
        LabeledImages train = Datasets.load(data, seed, reading).train();
        LabeledImages shown = train.slice(0, Math.min(images, train.size()));
        Path parent = output.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        ImageIO.write(AugmentationPreview.grid(shown, new Augmenter(augmentation, shown.shape()), variants, seed, scale),
                "png", output.toFile());
        System.out.printf("Wrote %s: %d images x (original + %d augmented) with %s%n", output, shown.size(), variants,
                augmentation);
        return 0;
    }
}
