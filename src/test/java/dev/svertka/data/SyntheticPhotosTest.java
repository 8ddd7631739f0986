package dev.svertka.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;
import dev.svertka.card.Preprocessing;

class SyntheticPhotosTest {

    @TempDir
    Path dir;

    @Test
    void writesTrainAndTestClassFoldersOfPhotosOfManySizesJpegAndPng() throws IOException {
        AtomicInteger last = new AtomicInteger();
        SyntheticPhotos.write(dir, new SyntheticPhotos.Plan(12, 3, 3, 7), (written, total) -> {
            assertThat(total).isEqualTo(45);
            last.accumulateAndGet(written, Math::max);
        });

        assertThat(last.get()).as("progress reaches the total").isEqualTo(45);
        List<String> classes = SyntheticPhotos.classNames(3);
        assertThat(classes).containsExactly("blue-square", "green-triangle", "red-circle");
        Set<String> sizes = new HashSet<>();
        Set<String> kinds = new HashSet<>();
        for (String name : classes) {
            assertThat(files(dir.resolve("train").resolve(name))).hasSize(12);
            assertThat(files(dir.resolve("test").resolve(name))).hasSize(3);
            for (Path file : files(dir.resolve("train").resolve(name))) {
                BufferedImage photo = ImageIO.read(file.toFile());
                sizes.add(photo.getWidth() + "x" + photo.getHeight());
                kinds.add(file.toString().substring(file.toString().lastIndexOf('.') + 1));
                assertThat(photo.getColorModel().getNumColorComponents()).isEqualTo(3);
                assertThat(photo.getWidth()).isBetween(160, 1024);
            }
        }
        assertThat(sizes).as("sizes and aspect ratios vary").hasSizeGreaterThan(5)
                .anyMatch(size -> widthOf(size) < heightOf(size)).anyMatch(size -> widthOf(size) > heightOf(size));
        assertThat(kinds).containsExactlyInAnyOrder("jpg", "png");
    }

    @Test
    void theSameSeedWritesTheSameFilesAndAnotherSeedOthers() throws IOException {
        SyntheticPhotos.Plan plan = new SyntheticPhotos.Plan(4, 0, 2, 11);
        SyntheticPhotos.write(dir.resolve("a"), plan, SyntheticPhotos.Progress.NONE);
        SyntheticPhotos.write(dir.resolve("b"), plan, SyntheticPhotos.Progress.NONE);
        SyntheticPhotos.write(dir.resolve("c"), new SyntheticPhotos.Plan(4, 0, 2, 12), SyntheticPhotos.Progress.NONE);

        List<Path> a = files(dir.resolve("a/train/red-circle"));
        List<Path> b = files(dir.resolve("b/train/red-circle"));
        for (int i = 0; i < a.size(); i++) {
            assertThat(Files.readAllBytes(b.get(i))).isEqualTo(Files.readAllBytes(a.get(i)));
        }
        assertThat(dir.resolve("a/test")).as("no test photos asked for").doesNotExist();
        assertThat(Files.readAllBytes(files(dir.resolve("c/train/red-circle")).get(0)))
                .isNotEqualTo(Files.readAllBytes(a.get(0)));
    }

    @Test
    void theClassShowsInTheColourOfTheMiddleOfThePicture() throws IOException {
        SyntheticPhotos.write(dir, new SyntheticPhotos.Plan(10, 0, 3, 3), SyntheticPhotos.Progress.NONE);
        InputShape shape = new InputShape(3, 16, 16);

        LabeledImages photos = ImageFolders.load(dir.resolve("train"), InputRecipe.of(shape)).images();

        double[] redMinusBlue = new double[3];
        for (int i = 0; i < photos.size(); i++) {
            byte[] chw = photos.image(i);
            for (int y = 5; y < 11; y++) {
                for (int x = 5; x < 11; x++) {
                    int p = y * 16 + x;
                    redMinusBlue[photos.labels()[i]] += (chw[p] & 0xFF) - (chw[2 * 256 + p] & 0xFF);
                }
            }
        }
        int blue = photos.classNames().indexOf("blue-square");
        int red = photos.classNames().indexOf("red-circle");
        assertThat(redMinusBlue[red] / 360).as("red objects").isGreaterThan(40);
        assertThat(redMinusBlue[blue] / 360).as("blue objects").isLessThan(-40);
    }

    @Test
    void photosOfEveryAspectRatioBecome224x224InputsByAShorterSideRecipe() throws IOException {
        SyntheticPhotos.write(dir, new SyntheticPhotos.Plan(4, 0, 2, 9), SyntheticPhotos.Progress.NONE);
        InputRecipe recipe = new InputRecipe(new InputShape(3, 224, 224), InputShape.PIXEL_SCALE,
                new Preprocessing(null, List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                        Preprocessing.Resize.SHORTER_SIDE, 256, Preprocessing.Crop.CENTER));

        ImageFolders.Loaded loaded = ImageFolders.load(dir.resolve("train"), recipe);

        assertThat(loaded.skipped()).isEmpty();
        assertThat(loaded.images().size()).isEqualTo(8);
        assertThat(loaded.images().recipe()).isEqualTo(recipe);
        float[] inputs = loaded.images().inputs(0, 8);
        assertThat(inputs).hasSize(8 * 3 * 224 * 224);
        double sum = 0;
        for (float v : inputs) {
            sum += v;
        }
        assertThat(Math.abs(sum / inputs.length)).as("normalised around 0").isLessThan(1.5);
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList();
        }
    }

    private static int widthOf(String size) {
        return Integer.parseInt(size.split("x")[0]);
    }

    private static int heightOf(String size) {
        return Integer.parseInt(size.split("x")[1]);
    }
}
