package dev.svertka.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import dev.svertka.card.InputShape;

/**
 * MNIST-style data read from the four IDX files in a directory, each plain or gzipped, as
 * distributed for MNIST and Fashion-MNIST (and by Debian's {@code dataset-fashion-mnist} under
 * {@code /usr/share/datasets/fashion-mnist}).
 */
public record IdxDataset(Path directory, LabeledImages train, LabeledImages test) {

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** Optional class names, one a line, overriding the defaults. */
    public static final String CLASS_NAMES_FILE = "labels.txt";

    public static final List<String> DIGIT_CLASSES = IntStream.range(0, 10).mapToObj(String::valueOf).toList();
    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public static final int IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
    public static final int LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension

    /** Reads both splits; every problem with the files is an {@link IOException} naming the file. */
    public static IdxDataset open(Path dir) throws IOException {
        List<Path> files = find(dir, TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
        List<String> classNames = classNames(dir);
        LabeledImages train = readSplit(files.get(0), files.get(1), classNames);
        LabeledImages test = readSplit(files.get(2), files.get(3), classNames);
        if (!train.shape().equals(test.shape())) {
            throw new IOException("IDX dataset " + dir + ": training images are " + describe(train.shape())
                    + " but test images are " + describe(test.shape()));
        }
        return new IdxDataset(dir, train, test);
    }

    /** Only the test split: evaluating a model needs no training files. */
    public static LabeledImages openTest(Path dir) throws IOException {
        List<Path> files = find(dir, TEST_IMAGES, TEST_LABELS);
        return readSplit(files.get(0), files.get(1), classNames(dir));
    }

    /** One line for logs and model cards. */
    public String description() {
        return "IDX dataset " + directory + ": " + train.size() + " train + " + test.size() + " test images "
                + describe(train.shape()) + ", " + train.classes() + " classes (" + String.join(", ", train.classNames())
                + ")";
    }

    private static String describe(InputShape shape) {
        return shape.width() + "x" + shape.height() + " " + shape.colourMode();
    }

    private static List<String> classNames(Path dir) throws IOException {
        Path file = dir.resolve(CLASS_NAMES_FILE);
        if (Files.isRegularFile(file)) {
            List<String> names = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(name -> !name.isEmpty()).toList();
            if (names.isEmpty()) {
                throw new IOException(file + " holds no class names");
            }
            return names;
        }
        // Fashion-MNIST ships the same file names as MNIST, so the directory name is the only hint.
        boolean fashion = dir.toAbsolutePath().toString().toLowerCase(Locale.ROOT).contains("fashion");
        return fashion ? FASHION_CLASSES : DIGIT_CLASSES;
    }

    /** For each name the plain file if present, else the gzipped one; otherwise fail naming every file missing. */
    private static List<Path> find(Path dir, String... names) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("IDX dataset directory " + dir + " does not exist or is not a directory");
        }
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            Path plain = dir.resolve(name);
            Path gzipped = dir.resolve(name + ".gz");
            if (Files.isRegularFile(plain) || Files.isRegularFile(gzipped)) {
                found.add(Files.isRegularFile(plain) ? plain : gzipped);
            } else {
                missing.add(name + "[.gz]");
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("IDX dataset " + dir + " lacks " + String.join(", ", missing) + "; it needs "
                    + String.join(", ", names) + ", each plain or .gz");
        }
        return found;
    }

    private static LabeledImages readSplit(Path imagesFile, Path labelsFile, List<String> classNames)
            throws IOException {
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile, classNames.size());
        if (labels.length != images.count()) {
            throw new IOException(imagesFile + " holds " + images.count() + " images but " + labelsFile + " holds "
                    + labels.length + " labels");
        }
        return new LabeledImages(images.shape(), images.pixels(), labels, classNames);
    }

    private record Images(InputShape shape, int count, byte[] pixels) {
    }

    private static Images readImages(Path file) throws IOException {
        return read(file, in -> {
            checkMagic(file, in.readInt(), IMAGES_MAGIC, "images");
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows < 1 || cols < 1) {
                throw new IOException(file + ": invalid dimensions " + count + " images of " + rows + "x" + cols);
            }
            long size = (long) count * rows * cols;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + count + " images of " + rows + "x" + cols
                        + " exceed the 2 GiB a Java array holds");
            }
            return new Images(new InputShape(1, rows, cols), count, readBody(file, in, (int) size, "pixel"));
        });
    }

    private static int[] readLabels(Path file, int classes) throws IOException {
        return read(file, in -> {
            checkMagic(file, in.readInt(), LABELS_MAGIC, "labels");
            int count = in.readInt();
            if (count < 0) {
                throw new IOException(file + ": invalid label count " + count);
            }
            byte[] bytes = readBody(file, in, count, "label");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = bytes[i] & 0xFF;
                if (labels[i] >= classes) {
                    throw new IOException(file + ": label " + labels[i] + " at index " + i + " is outside 0.."
                            + (classes - 1) + " (" + classes + " class names)");
                }
            }
            return labels;
        });
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    /** Runs {@code reader} on the file, turning stream-level failures into messages that name it. */
    private static <T> T read(Path file, Reader<T> reader) throws IOException {
        try (DataInputStream in = stream(file)) {
            return reader.read(in);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated, the file ends inside its header or data", e);
        } catch (ZipException e) {
            throw new IOException(file + ": damaged gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static DataInputStream stream(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
    }

    private static void checkMagic(Path file, int magic, int expected, String kind) throws IOException {
        if (magic != expected) {
            String hint = magic == IMAGES_MAGIC || magic == LABELS_MAGIC ? " (images and labels files swapped?)" : "";
            throw new IOException(String.format("%s: magic number 0x%08X is not the IDX %s magic 0x%08X%s", file,
                    magic, kind, expected, hint));
        }
    }

    /**
     * The {@code size} bytes after the header, and nothing more. readNBytes grows its buffer as data
     * arrives, so a damaged header claiming gigabytes fails as truncated instead of allocating them.
     */
    private static byte[] readBody(Path file, InputStream in, int size, String what) throws IOException {
        byte[] body = in.readNBytes(size);
        if (body.length < size) {
            throw new IOException(file + ": truncated, " + body.length + " of " + size + " " + what
                    + " bytes present");
        }
        if (in.read() != -1) {
            throw new IOException(file + ": unexpected data after the " + size + " " + what + " bytes the header"
                    + " announces");
        }
        return body;
    }
}
