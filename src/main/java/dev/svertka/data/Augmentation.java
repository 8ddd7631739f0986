package dev.svertka.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to vary in training images, with Keras' {@code ImageDataGenerator} names, and how often.
 * Each transform is a {@link Step}: an amount and the probability that one image gets it; all
 * geometric transforms of one image are combined into a single affine resampling.
 *
 * <p>Written as text (the {@code --augment} option, job specs) as comma-separated
 * {@code name=value[@probability]}, e.g. {@code rotation_range=15,width_shift_range=0.1@0.5,fill_mode=reflect}:
 * <ul>
 * <li>{@code rotation_range}: degrees, uniform in [-r, r]; positive turns clockwise on screen</li>
 * <li>{@code width_shift_range}, {@code height_shift_range}: fraction of the width/height, uniform in [-f, f]</li>
 * <li>{@code shear_range}: shear angle in degrees, uniform in [-s, s]</li>
 * <li>{@code zoom_range}: magnification, uniform in [1-z, 1+z] per axis (above 1 zooms in)</li>
 * <li>{@code horizontal_flip}: {@code true} mirrors left-right half the time (off by default: it hurts digits)</li>
 * <li>{@code gaussian_noise}: standard deviation on the 0..1 pixel scale</li>
 * <li>{@code random_crop}: keep a window of at least this fraction of each side, resized back to full size</li>
 * <li>{@code random_resized_crop}: torchvision's {@code RandomResizedCrop} scale: keep a window of this to all of
 *     the area, its aspect ratio 3/4 to 4/3 of the image's, resized back to full size (not with random_crop)</li>
 * <li>{@code brightness}, {@code contrast}, {@code saturation}: torchvision's {@code ColorJitter}: each a factor
 *     uniform in [max(0, 1-f), 1+f], the same for every channel of an image; saturation leaves grey images alone</li>
 * <li>{@code fill_mode}: how pixels from outside the image are filled: nearest (default), constant, reflect, wrap</li>
 * <li>{@code cval}: the constant fill, 0..255 (default 0)</li>
 * </ul>
 * Without {@code @probability} a transform applies to every image (horizontal flip: half of them).
 */
public record Augmentation(Step rotation, Step widthShift, Step heightShift, Step shear, Step zoom, Step flip,
                           Step noise, Step crop, Step resizedCrop, Step brightness, Step contrast,
                           Step saturation, FillMode fillMode, float cval) {

    /** The names of the steps, in the order of the record's components. */
    private static final List<String> STEPS = List.of("rotation_range", "width_shift_range", "height_shift_range",
            "shear_range", "zoom_range", "horizontal_flip", "gaussian_noise", "random_crop", "random_resized_crop",
            "brightness", "contrast", "saturation");
    private static final String FLIP = "horizontal_flip";

    /** Nothing changes. */
    public static final Augmentation NONE = parse("none");

    /** How samples that fall outside the image are filled (as Keras and scipy.ndimage name them). */
    public enum FillMode {
        /** the closest edge pixel: aaaa|abcd|dddd */
        NEAREST,
        /** {@link #cval()}: kkkk|abcd|kkkk */
        CONSTANT,
        /** mirrored at the edge: dcba|abcd|dcba */
        REFLECT,
        /** the image repeated: abcd|abcd|abcd */
        WRAP
    }

    /** A transform's amount (its meaning depends on the transform) and the chance that an image gets it. */
    public record Step(double amount, double probability) {

        public static final Step OFF = new Step(0, 0);

        public Step {
            if (amount < 0 || Double.isNaN(amount)) {
                throw new IllegalArgumentException("an augmentation amount must be >= 0, got " + amount);
            }
            if (probability < 0 || probability > 1 || Double.isNaN(probability)) {
                throw new IllegalArgumentException("a probability must be in [0, 1], got " + probability);
            }
        }

        public boolean active() {
            return amount > 0 && probability > 0;
        }
    }

    public Augmentation {
        if (zoom.amount() >= 1) {
            throw new IllegalArgumentException("zoom_range must be below 1 (magnification 1-z .. 1+z), got "
                    + zoom.amount());
        }
        if (crop.active() && crop.amount() > 1) {
            throw new IllegalArgumentException("random_crop is the fraction of each side kept, in (0, 1], got "
                    + crop.amount());
        }
        if (resizedCrop.active() && resizedCrop.amount() > 1) {
            throw new IllegalArgumentException("random_resized_crop is the least share of the area kept, in (0, 1],"
                    + " got " + resizedCrop.amount());
        }
        if (crop.active() && resizedCrop.active()) {
            throw new IllegalArgumentException("random_crop and random_resized_crop both crop: choose one");
        }
        if (cval < 0 || cval > 255) {
            throw new IllegalArgumentException("cval must be in 0..255, got " + cval);
        }
    }

    public boolean isNone() {
        return steps().stream().noneMatch(Step::active);
    }

    /** The steps in the order of {@link #STEPS}. */
    private List<Step> steps() {
        return List.of(rotation, widthShift, heightShift, shear, zoom, flip, noise, crop, resizedCrop, brightness,
                contrast, saturation);
    }

    /** Parses the textual form described above; an empty or blank text (or "none") is {@link #NONE}. */
    public static Augmentation parse(String text) {
        Map<String, Step> steps = new HashMap<>();
        FillMode fillMode = FillMode.NEAREST;
        float cval = 0;
        boolean none = text == null || text.isBlank() || text.strip().equalsIgnoreCase("none");
        for (String item : none ? new String[0] : text.split(",")) {
            String[] pair = item.strip().split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("augmentation '" + item.strip() + "' is not name=value[@probability]");
            }
            String name = pair[0].strip().toLowerCase(Locale.ROOT);
            String value = pair[1].strip();
            if (name.equals("fill_mode")) {
                fillMode = fillMode(value);
            } else if (name.equals("cval")) {
                cval = (float) number(name, value);
            } else if (STEPS.contains(name)) {
                steps.put(name, name.equals(FLIP) ? flipStep(value) : step(name, value, 1));
            } else {
                throw new IllegalArgumentException("unknown augmentation '" + name + "'; known: "
                        + String.join(", ", STEPS) + ", fill_mode, cval");
            }
        }
        List<Step> s = STEPS.stream().map(name -> steps.getOrDefault(name, Step.OFF)).toList();
        return new Augmentation(s.get(0), s.get(1), s.get(2), s.get(3), s.get(4), s.get(5), s.get(6), s.get(7),
                s.get(8), s.get(9), s.get(10), s.get(11), fillMode, cval);
    }

    /** The textual form, which {@link #parse(String)} reads back. */
    @Override
    public String toString() {
        List<String> items = new ArrayList<>();
        List<Step> steps = steps();
        for (int i = 0; i < STEPS.size(); i++) {
            Step step = steps.get(i);
            if (!step.active()) {
                continue;
            }
            String name = STEPS.get(i);
            if (name.equals(FLIP)) {
                items.add(FLIP + "=true@" + step.probability());
            } else {
                items.add(name + "=" + step.amount() + (step.probability() < 1 ? "@" + step.probability() : ""));
            }
        }
        if (items.isEmpty()) {
            return "none";
        }
        items.add("fill_mode=" + fillMode.name().toLowerCase(Locale.ROOT));
        if (fillMode == FillMode.CONSTANT) {
            items.add("cval=" + cval);
        }
        return String.join(",", items);
    }

    private static Step step(String name, String value, double defaultProbability) {
        String[] parts = value.split("@", 2);
        double probability = parts.length == 2 ? number(name + " probability", parts[1]) : defaultProbability;
        return new Step(number(name, parts[0]), probability);
    }

    private static Step flipStep(String value) {
        String[] parts = value.split("@", 2);
        boolean on = switch (parts[0].strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("horizontal_flip must be true or false, got '" + parts[0] + "'");
        };
        double probability = parts.length == 2 ? number("horizontal_flip probability", parts[1]) : 0.5;
        return on ? new Step(1, probability) : Step.OFF;
    }

    private static FillMode fillMode(String value) {
        try {
            return FillMode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fill_mode must be nearest, constant, reflect or wrap, got '" + value + "'");
        }
    }

    private static double number(String name, String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'");
        }
    }
}
