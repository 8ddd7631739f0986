package dev.svertka.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.card.InputShape;

class IdxDatasetTest {

    private static final int ROWS = 2;
    private static final int COLS = 3;

    @TempDir
    Path dir;

    @Test
    void readsPlainFiles() throws IOException {
        writeDataset(dir, false);

        IdxDataset dataset = IdxDataset.open(dir);

        assertThat(dataset.train().shape()).isEqualTo(new InputShape(1, ROWS, COLS));
        assertThat(dataset.train().pixels()).isEqualTo(pixels(3, 0));
        assertThat(dataset.train().labels()).containsExactly(0, 1, 2);
        assertThat(dataset.test().pixels()).isEqualTo(pixels(2, 100));
        assertThat(dataset.test().labels()).containsExactly(9, 3);
        assertThat(dataset.train().classNames()).isEqualTo(IdxDataset.DIGIT_CLASSES);
        assertThat(dataset.description()).contains("3 train + 2 test", "3x2 grey", "10 classes");
    }

    @Test
    void readsGzippedFilesTheSame() throws IOException {
        writeDataset(dir, true);

        IdxDataset dataset = IdxDataset.open(dir);

        assertThat(dataset.train().pixels()).isEqualTo(pixels(3, 0));
        assertThat(dataset.test().labels()).containsExactly(9, 3);
    }

    @Test
    void mixesPlainAndGzippedFiles() throws IOException {
        writeDataset(dir, true);
        Files.delete(dir.resolve(IdxDataset.TEST_LABELS + ".gz"));
        write(dir.resolve(IdxDataset.TEST_LABELS), labels(9, 3), false);

        assertThat(IdxDataset.open(dir).test().labels()).containsExactly(9, 3);
    }

    @Test
    void takesClassNamesFromLabelsTxt() throws IOException {
        writeDataset(dir, false);
        Files.writeString(dir.resolve(IdxDataset.CLASS_NAMES_FILE),
                "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n\n");

        assertThat(IdxDataset.open(dir).train().classNames()).hasSize(10).startsWith("zero", "one").endsWith("nine");
    }

    @Test
    void usesFashionNamesInAFashionDirectory() throws IOException {
        Path fashion = Files.createDirectory(dir.resolve("Fashion-MNIST"));
        writeDataset(fashion, true);

        List<String> names = IdxDataset.open(fashion).train().classNames();

        assertThat(names).isEqualTo(IdxDataset.FASHION_CLASSES).startsWith("T-shirt/top").endsWith("Ankle boot");
    }

    @Test
    void missingFilesAreListedByName() throws IOException {
        write(dir.resolve(IdxDataset.TRAIN_IMAGES), images(3, ROWS, COLS, pixels(3, 0)), false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TRAIN_LABELS + "[.gz]")
                .hasMessageContaining(IdxDataset.TEST_IMAGES + "[.gz]")
                .hasMessageContaining(IdxDataset.TEST_LABELS + "[.gz]")
                .hasMessageNotContaining(IdxDataset.TRAIN_IMAGES + "[.gz]");
    }

    @Test
    void aTestSetNeedsOnlyTheT10kFilesAndMatchesClassesByName() throws IOException {
        writeDataset(dir, false);
        Files.delete(dir.resolve(IdxDataset.TRAIN_IMAGES));
        Files.delete(dir.resolve(IdxDataset.TRAIN_LABELS));
        List<String> reversed = new ArrayList<>(IdxDataset.DIGIT_CLASSES);
        Collections.reverse(reversed);

        LabeledImages test = Datasets.testSet(dir.toString(), 1, reversed, Datasets.Reading.DEFAULT);

        assertThat(test.pixels()).isEqualTo(pixels(2, 100));
        assertThat(test.classNames()).isEqualTo(reversed);
        assertThat(test.labels()).as("digits 9 and 3 in the reversed list").containsExactly(0, 6);
        Files.delete(dir.resolve(IdxDataset.TEST_LABELS));
        assertThatThrownBy(() -> IdxDataset.openTest(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TEST_LABELS + "[.gz]")
                .hasMessageNotContaining(IdxDataset.TRAIN_LABELS);
    }

    @Test
    void missingDirectoryIsAClearError() {
        assertThatThrownBy(() -> IdxDataset.open(dir.resolve("nope"))).isInstanceOf(IOException.class)
                .hasMessageContaining("nope").hasMessageContaining("not a directory");
    }

    @Test
    void badMagicNamesTheFile() throws IOException {
        writeDataset(dir, false);
        write(dir.resolve(IdxDataset.TRAIN_IMAGES), labels(0, 1, 2), false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TRAIN_IMAGES)
                .hasMessageContaining("magic number 0x00000801")
                .hasMessageContaining("0x00000803");
    }

    @Test
    void truncatedPixelsAreReported() throws IOException {
        writeDataset(dir, false);
        byte[] whole = images(3, ROWS, COLS, pixels(3, 0));
        write(dir.resolve(IdxDataset.TRAIN_IMAGES), Arrays.copyOf(whole, whole.length - 4), false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TRAIN_IMAGES)
                .hasMessageContaining("truncated, 14 of 18 pixel bytes");
    }

    @Test
    void truncatedGzipIsReported() throws IOException {
        writeDataset(dir, true);
        Path file = dir.resolve(IdxDataset.TEST_IMAGES + ".gz");
        byte[] gz = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(gz, gz.length / 2));

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TEST_IMAGES + ".gz")
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        writeDataset(dir, false);
        write(dir.resolve(IdxDataset.TEST_LABELS), new byte[] {0, 0, 8, 1, 0}, false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TEST_LABELS)
                .hasMessageContaining("truncated");
    }

    @Test
    void headerClaimingHugeSizesFailsAsTruncatedNotOutOfMemory() throws IOException {
        writeDataset(dir, false);
        write(dir.resolve(IdxDataset.TRAIN_IMAGES), images(2_000_000, 28, 28, new byte[10]), false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("truncated, 10 of 1568000000 pixel bytes");
    }

    @Test
    void invalidDimensionsAreReported() throws IOException {
        writeDataset(dir, false);
        write(dir.resolve(IdxDataset.TRAIN_IMAGES), images(3, 0, COLS, new byte[0]), false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TRAIN_IMAGES)
                .hasMessageContaining("invalid dimensions 3 images of 0x3");
    }

    @Test
    void countMismatchNamesBothFiles() throws IOException {
        writeDataset(dir, false);
        write(dir.resolve(IdxDataset.TRAIN_LABELS), labels(0, 1), false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TRAIN_IMAGES + " holds 3 images but")
                .hasMessageContaining(IdxDataset.TRAIN_LABELS + " holds 2 labels");
    }

    @Test
    void trailingDataIsReported() throws IOException {
        writeDataset(dir, false);
        byte[] whole = labels(0, 1, 2);
        write(dir.resolve(IdxDataset.TRAIN_LABELS), Arrays.copyOf(whole, whole.length + 1), false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TRAIN_LABELS)
                .hasMessageContaining("unexpected data after the 3 label bytes");
    }

    @Test
    void labelsBeyondTheClassNamesAreReported() throws IOException {
        writeDataset(dir, false);
        Files.writeString(dir.resolve(IdxDataset.CLASS_NAMES_FILE), "a\nb\nc\n");

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IdxDataset.TEST_LABELS)
                .hasMessageContaining("label 9 at index 0 is outside 0..2");
    }

    @Test
    void trainAndTestMustShareAShape() throws IOException {
        writeDataset(dir, false);
        write(dir.resolve(IdxDataset.TEST_IMAGES), images(2, COLS, ROWS, pixels(2, 100)), false);

        assertThatThrownBy(() -> IdxDataset.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("training images are 3x2 grey but test images are 2x3 grey");
    }

    /** Train: 3 images labelled 0, 1, 2; test: 2 images labelled 9, 3; all 2 rows by 3 columns. */
    private static void writeDataset(Path dir, boolean gzip) throws IOException {
        write(dir.resolve(IdxDataset.TRAIN_IMAGES), images(3, ROWS, COLS, pixels(3, 0)), gzip);
        write(dir.resolve(IdxDataset.TRAIN_LABELS), labels(0, 1, 2), gzip);
        write(dir.resolve(IdxDataset.TEST_IMAGES), images(2, ROWS, COLS, pixels(2, 100)), gzip);
        write(dir.resolve(IdxDataset.TEST_LABELS), labels(9, 3), gzip);
    }

    private static byte[] pixels(int count, int first) {
        byte[] pixels = new byte[count * ROWS * COLS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (first + i * 7);
        }
        return pixels;
    }

    private static byte[] images(int count, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(IdxDataset.IMAGES_MAGIC);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(cols);
            out.write(pixels);
        }
        return bytes.toByteArray();
    }

    private static byte[] labels(int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(IdxDataset.LABELS_MAGIC);
            out.writeInt(labels.length);
            for (int label : labels) {
                out.writeByte(label);
            }
        }
        return bytes.toByteArray();
    }

    private static void write(Path file, byte[] content, boolean gzip) throws IOException {
        Path target = gzip ? file.resolveSibling(file.getFileName() + ".gz") : file;
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(target))
                : Files.newOutputStream(target)) {
            out.write(content);
        }
    }
}
