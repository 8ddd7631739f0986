package dev.svertka.data;

import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageDecodingException;
import dev.svertka.image.Pixels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;

/**
 * Labelled images from a directory with one subfolder per class ({@code root/cat/001.jpg}), the
 * layout of Keras' {@code image_dataset_from_directory}. Class names are the subfolder names in
 * alphabetical order. PNG, JPEG, BMP and GIF files are read with ImageIO through the same
 * {@link ImageDecoder} the inference pipeline uses, so training and serving see identical pixels:
 * converted to grey (luma) or RGB, resized and cropped as the model's {@link InputRecipe} says (by default
 * <b>stretched to the input's size, aspect ratio not kept</b>: nothing the label depends on is cut off), and
 * kept as bytes; serving applies the same recipe. Files that cannot be decoded are skipped and counted, never fatal;
 * other files (no image extension, hidden files) are ignored.
 */
public final class ImageFolders {

    private static final Logger LOG = Logger.getLogger(ImageFolders.class);
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");
    /** Training files may be photos far larger than the event payloads the pipeline accepts. */
    private static final ImageDecoder.Limits FILE_LIMITS = new ImageDecoder.Limits(256 << 20, 1L << 27);

    /** The images read, and the files skipped with the reason for each. */
    public record Loaded(LabeledImages images, Map<Path, String> skipped) {

        public String description(Path root) {
            return "image folders " + root + ": " + images.size() + " images " + images.shape().width() + "x"
                    + images.shape().height() + " " + images.shape().colourMode() + ", " + images.classes()
                    + " classes (" + String.join(", ", images.classNames()) + ")"
                    + (skipped.isEmpty() ? "" : ", " + skipped.size() + " unreadable files skipped");
        }
    }

    private ImageFolders() {
    }

    /** True when {@code dir} has class subfolders and no IDX files. */
    public static boolean looksLikeImageFolders(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> list = entries.toList();
            boolean idx = list.stream().anyMatch(p -> p.getFileName().toString().contains("-idx"));
            return !idx && list.stream().anyMatch(p -> Files.isDirectory(p) && !hidden(p));
        }
    }

    /** Every class subfolder of {@code root}, class names from the folders. */
    public static Loaded load(Path root, InputRecipe recipe) throws IOException {
        return load(root, recipe, classFolders(root));
    }

    /**
     * Reads {@code root}'s class subfolders against a given list of class names (so that a test set's labels
     * mean what the training set's or the model's do); a class folder unknown to the list is an error.
     */
    public static Loaded load(Path root, InputRecipe recipe, List<String> classNames) throws IOException {
        List<String> present = classFolders(root);
        for (String name : present) {
            if (!classNames.contains(name)) {
                throw new IOException("class folder '" + name + "' in " + root + " is not one of the classes "
                        + classNames);
            }
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String name : present) {
            try (Stream<Path> entries = Files.list(root.resolve(name))) {
                for (Path file : entries.filter(ImageFolders::isImageFile).sorted().toList()) {
                    files.add(file);
                    labels.add(classNames.indexOf(name));
                }
            }
        }
        ImageDecoder decoder = new ImageDecoder(recipe, FILE_LIMITS);
        InputShape shape = recipe.input();
        byte[][] decoded = new byte[files.size()][];
        String[] errors = new String[files.size()];
        // decoding dominates loading and ImageDecoder is thread-safe
        IntStream.range(0, files.size()).parallel().forEach(i -> {
            try {
                decoded[i] = Pixels.toBytes(decoder.pixels(Files.readAllBytes(files.get(i)), null, null), 1f);
            } catch (ImageDecodingException e) {
                errors[i] = e.reason() + ": " + e.getMessage();
            } catch (IOException e) {
                errors[i] = "unreadable: " + e.getMessage();
            }
        });
        Map<Path, String> skipped = new LinkedHashMap<>();
        int kept = 0;
        for (int i = 0; i < files.size(); i++) {
            if (errors[i] != null) {
                skipped.put(files.get(i), errors[i]);
                LOG.warnf("skipped %s: %s", files.get(i), errors[i]);
            } else {
                kept++;
            }
        }
        byte[] pixels = new byte[kept * shape.pixels()];
        int[] keptLabels = new int[kept];
        int k = 0;
        for (int i = 0; i < files.size(); i++) {
            if (decoded[i] != null) {
                System.arraycopy(decoded[i], 0, pixels, k * shape.pixels(), shape.pixels());
                keptLabels[k++] = labels.get(i);
            }
        }
        return new Loaded(new LabeledImages(recipe, pixels, keptLabels, classNames), skipped);
    }

    private static List<String> classFolders(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("image folder " + root + " does not exist or is not a directory");
        }
        try (Stream<Path> entries = Files.list(root)) {
            List<String> names = entries.filter(p -> Files.isDirectory(p) && !hidden(p))
                    .map(p -> p.getFileName().toString()).sorted().toList();
            if (names.isEmpty()) {
                throw new IOException(root + " has no class subfolders (expected e.g. " + root.resolve("cat")
                        + "/001.jpg)");
            }
            return names;
        }
    }

    private static boolean isImageFile(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return Files.isRegularFile(file) && !hidden(file) && dot > 0
                && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }
}
