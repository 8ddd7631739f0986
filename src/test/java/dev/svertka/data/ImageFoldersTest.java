package dev.svertka.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;

class ImageFoldersTest {

    private static final InputShape GREY = new InputShape(1, 28, 28);

    @TempDir
    Path root;

    @Test
    void readsEveryFormatGreyOrRgbResizedAndLabelledByFolder() throws Exception {
        write(root.resolve("circle/a.png"), image(56, 56, BufferedImage.TYPE_BYTE_GRAY, 200), "png");
        write(root.resolve("circle/b.jpg"), image(100, 60, BufferedImage.TYPE_3BYTE_BGR, 200), "jpg");
        write(root.resolve("square/c.bmp"), image(28, 28, BufferedImage.TYPE_3BYTE_BGR, 120), "bmp");
        write(root.resolve("square/d.gif"), image(40, 40, BufferedImage.TYPE_BYTE_INDEXED, 120), "gif");
        Files.writeString(root.resolve("square/notes.txt"), "not an image");
        Files.write(root.resolve("square/.hidden.png"), new byte[] {1, 2, 3});

        ImageFolders.Loaded loaded = ImageFolders.load(root, InputRecipe.of(GREY));

        LabeledImages images = loaded.images();
        assertThat(images.classNames()).containsExactly("circle", "square");
        assertThat(images.labels()).containsExactly(0, 0, 1, 1);
        assertThat(images.shape()).isEqualTo(GREY);
        assertThat(loaded.skipped()).isEmpty();
        // the bright block fills the left half of every image, whatever its size: after the resize too
        for (int i = 0; i < images.size(); i++) {
            byte[] pixels = images.image(i);
            assertThat(pixels[14 * 28 + 3] & 0xFF).as("left half of image %d", i).isGreaterThan(100);
            assertThat(pixels[14 * 28 + 24] & 0xFF).as("right half of image %d", i).isLessThan(20);
        }
    }

    @Test
    void corruptFilesAreSkippedAndCountedNeverFatal() throws Exception {
        write(root.resolve("a/ok.png"), image(28, 28, BufferedImage.TYPE_BYTE_GRAY, 255), "png");
        Files.write(root.resolve("a/broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2});
        write(root.resolve("b/ok.png"), image(28, 28, BufferedImage.TYPE_BYTE_GRAY, 255), "png");
        Files.write(root.resolve("b/empty.png"), new byte[0]);

        ImageFolders.Loaded loaded = ImageFolders.load(root, InputRecipe.of(GREY));

        assertThat(loaded.images().size()).isEqualTo(2);
        assertThat(loaded.images().labels()).containsExactly(0, 1);
        assertThat(loaded.skipped()).containsOnlyKeys(root.resolve("a/broken.jpg"), root.resolve("b/empty.png"));
        assertThat(loaded.skipped().get(root.resolve("b/empty.png"))).startsWith("EMPTY_PAYLOAD");
        assertThat(loaded.description(root)).contains("2 images", "2 unreadable files skipped");
    }

    @Test
    void rgbTargetsKeepColour() throws Exception {
        BufferedImage red = new BufferedImage(10, 10, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = red.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 10, 10);
        g.dispose();
        write(root.resolve("red/r.png"), red, "png");

        LabeledImages images = ImageFolders.load(root, InputRecipe.of(new InputShape(3, 8, 8))).images();

        byte[] chw = images.image(0);
        assertThat(chw[0] & 0xFF).as("red plane").isEqualTo(255);
        assertThat(chw[64] & 0xFF).as("green plane").isZero();
        assertThat(chw[128] & 0xFF).as("blue plane").isZero();
    }

    @Test
    void trainAndTestSubfoldersAreTheTwoSplitsAndAnExplicitTestSetUsesTheTrainingClasses() throws Exception {
        for (String split : new String[] {"train", "test"}) {
            write(root.resolve(split + "/x/1.png"), image(28, 28, BufferedImage.TYPE_BYTE_GRAY, 50), "png");
            write(root.resolve(split + "/y/1.png"), image(28, 28, BufferedImage.TYPE_BYTE_GRAY, 250), "png");
        }
        write(root.resolve("extra/y/2.png"), image(28, 28, BufferedImage.TYPE_BYTE_GRAY, 250), "png");

        Datasets.Split split = Datasets.load(root.toString(), 1);

        assertThat(split.train().size()).isEqualTo(2);
        assertThat(split.test().size()).isEqualTo(2);
        assertThat(split.description()).contains("test:");
        LabeledImages extra = Datasets.testSet(root.resolve("extra").toString(), 1, split.train(),
                Datasets.Reading.DEFAULT);
        assertThat(extra.labels()).as("y is class 1 of the training set, though the only folder here")
                .containsExactly(1);
        write(root.resolve("other/z/1.png"), image(28, 28, BufferedImage.TYPE_BYTE_GRAY, 250), "png");
        assertThatThrownBy(() -> Datasets.testSet(root.resolve("other").toString(), 1, split.train(),
                Datasets.Reading.DEFAULT))
                .hasMessageContaining("class folder 'z'");
    }

    @Test
    void aFolderWithoutClassFoldersIsAClearError() throws IOException {
        Files.writeString(root.resolve("x.txt"), "");
        assertThatThrownBy(() -> ImageFolders.load(root, InputRecipe.of(GREY))).hasMessageContaining("no class subfolders");
    }

    /** A dark image whose left half is {@code level} bright. */
    private static BufferedImage image(int width, int height, int type, int level) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(level, level, level));
        g.fillRect(0, 0, width / 2, height);
        g.dispose();
        return image;
    }

    private static void write(Path file, BufferedImage image, String format) throws IOException {
        Files.createDirectories(file.getParent());
        assertThat(ImageIO.write(image, format, file.toFile())).as("ImageIO writes " + format).isTrue();
    }
}
