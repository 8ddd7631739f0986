package dev.svertka.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.card.InputShape;
import dev.svertka.image.ImageEncoder;

/** A model's test set read on its own: no training set needed, classes matched to the model's by name. */
class TestSetTest {

    private static final InputShape GREY = new InputShape(1, 8, 8);
    private static final List<String> MODEL_CLASSES = List.of("ant", "bee", "cat");

    @TempDir
    Path dir;

    @Test
    void plainClassFoldersAreTheWholeTestSetLabelledByTheModelsNames() throws IOException {
        picture(dir.resolve("cat/1.png"), 200);
        picture(dir.resolve("cat/2.png"), 200);
        picture(dir.resolve("bee/1.png"), 50);

        LabeledImages test = Datasets.testSet(dir.toString(), 1, MODEL_CLASSES, Datasets.Reading.DEFAULT);

        assertThat(test.classNames()).isEqualTo(MODEL_CLASSES);
        assertThat(test.labels()).as("bee, cat, cat; no folder for ant is fine").containsExactly(1, 2, 2);
        assertThat(test.shape()).isEqualTo(Datasets.DEFAULT_FOLDER_SHAPE);
    }

    @Test
    void trainAndTestFoldersTestOnTestAlone() throws IOException {
        picture(dir.resolve("train/ant/1.png"), 10);
        picture(dir.resolve("train/bee/1.png"), 10);
        picture(dir.resolve("test/ant/1.png"), 10);

        LabeledImages test = Datasets.testSet(dir.toString(), 1, MODEL_CLASSES, Datasets.Reading.DEFAULT);

        assertThat(test.labels()).containsExactly(0);
        Files.delete(dir.resolve("test/ant/1.png"));
        Files.delete(dir.resolve("test/ant"));
        Files.delete(dir.resolve("test"));
        assertThatThrownBy(() -> Datasets.testSet(dir.toString(), 1, MODEL_CLASSES, Datasets.Reading.DEFAULT))
                .isInstanceOf(IOException.class).hasMessageContaining("no test/");
    }

    @Test
    void aClassFolderTheModelDoesNotKnowIsAClearError() throws IOException {
        picture(dir.resolve("cat/1.png"), 200);
        picture(dir.resolve("dog/1.png"), 200);

        assertThatThrownBy(() -> Datasets.testSet(dir.toString(), 1, MODEL_CLASSES, Datasets.Reading.DEFAULT))
                .isInstanceOf(IOException.class).hasMessageContaining("class folder 'dog'")
                .hasMessageContaining(MODEL_CLASSES.toString());
    }

    @Test
    void noImagesIsAnErrorNotAnAccuracyOfNothing() throws IOException {
        Files.createDirectories(dir.resolve("cat"));
        Files.writeString(dir.resolve("cat/notes.txt"), "not a picture");

        assertThatThrownBy(() -> Datasets.testSet(dir.toString(), 1, MODEL_CLASSES, Datasets.Reading.DEFAULT))
                .isInstanceOf(IOException.class).hasMessageContaining("holds no images");
    }

    @Test
    void labelsOfOtherDataAreMatchedByName() {
        LabeledImages digits = SyntheticDigits.generate(20, 3);

        assertThatThrownBy(() -> digits.labelledAs(MODEL_CLASSES)).hasMessageContaining("are not among");
        List<String> more = List.of("x", "9", "8", "7", "6", "5", "4", "3", "2", "1", "0");
        LabeledImages relabelled = digits.labelledAs(more);
        for (int i = 0; i < digits.size(); i++) {
            assertThat(more.get(relabelled.labels()[i])).isEqualTo(digits.classNames().get(digits.labels()[i]));
        }
    }

    private static void picture(Path file, int grey) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] pixels = new byte[GREY.pixels()];
        java.util.Arrays.fill(pixels, (byte) grey);
        Files.write(file, ImageEncoder.png(GREY, pixels));
    }
}
