package dev.svertka.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 * <li>{@code fill_mode}: how pixels from outside the image are filled: nearest (default), constant, reflect, wrap</li>
 * <li>{@code cval}: the constant fill, 0..255 (default 0)</li>
 * </ul>
 * Without {@code @probability} a transform applies to every image (horizontal flip: half of them).
 */
public record Augmentation(Step rotation, Step widthShift, Step heightShift, Step shear, Step zoom, Step flip,
                           Step noise, Step crop, FillMode fillMode, float cval) {

    /** Nothing changes. */
    public static final Augmentation NONE = new Augmentation(Step.OFF, Step.OFF, Step.OFF, Step.OFF, Step.OFF,
            Step.OFF, Step.OFF, Step.OFF, FillMode.NEAREST, 0);

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
        if (cval < 0 || cval > 255) {
            throw new IllegalArgumentException("cval must be in 0..255, got " + cval);
        }
    }

    public boolean isNone() {
        return !rotation.active() && !widthShift.active() && !heightShift.active() && !shear.active()
                && !zoom.active() && !flip.active() && !noise.active() && !crop.active();
    }

    /** Parses the textual form described above; an empty or blank text (or "none") is {@link #NONE}. */
    public static Augmentation parse(String text) {
        Augmentation a = NONE;
        if (text == null || text.isBlank() || text.strip().equalsIgnoreCase("none")) {
            return a;
        }
        for (String item : text.split(",")) {
            String[] pair = item.strip().split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("augmentation '" + item.strip() + "' is not name=value[@probability]");
            }
            String name = pair[0].strip().toLowerCase(Locale.ROOT);
            String value = pair[1].strip();
            a = switch (name) {
                case "rotation_range" -> a.with(step(name, value, 1), null, null, null, null, null, null, null);
                case "width_shift_range" -> a.with(null, step(name, value, 1), null, null, null, null, null, null);
                case "height_shift_range" -> a.with(null, null, step(name, value, 1), null, null, null, null, null);
                case "shear_range" -> a.with(null, null, null, step(name, value, 1), null, null, null, null);
                case "zoom_range" -> a.with(null, null, null, null, step(name, value, 1), null, null, null);
                case "horizontal_flip" -> a.with(null, null, null, null, null, flipStep(value), null, null);
                case "gaussian_noise" -> a.with(null, null, null, null, null, null, step(name, value, 1), null);
                case "random_crop" -> a.with(null, null, null, null, null, null, null, step(name, value, 1));
                case "fill_mode" -> new Augmentation(a.rotation, a.widthShift, a.heightShift, a.shear, a.zoom, a.flip,
                        a.noise, a.crop, fillMode(value), a.cval);
                case "cval" -> new Augmentation(a.rotation, a.widthShift, a.heightShift, a.shear, a.zoom, a.flip,
                        a.noise, a.crop, a.fillMode, (float) number(name, value));
                default -> throw new IllegalArgumentException("unknown augmentation '" + name + "'; known: "
                        + "rotation_range, width_shift_range, height_shift_range, shear_range, zoom_range, "
                        + "horizontal_flip, gaussian_noise, random_crop, fill_mode, cval");
            };
        }
        return a;
    }

    /** The textual form, which {@link #parse(String)} reads back. */
    @Override
    public String toString() {
        List<String> items = new ArrayList<>();
        add(items, "rotation_range", rotation);
        add(items, "width_shift_range", widthShift);
        add(items, "height_shift_range", heightShift);
        add(items, "shear_range", shear);
        add(items, "zoom_range", zoom);
        if (flip.active()) {
            items.add("horizontal_flip=true@" + flip.probability());
        }
        add(items, "gaussian_noise", noise);
        add(items, "random_crop", crop);
        if (items.isEmpty()) {
            return "none";
        }
        items.add("fill_mode=" + fillMode.name().toLowerCase(Locale.ROOT));
        if (fillMode == FillMode.CONSTANT) {
            items.add("cval=" + cval);
        }
        return String.join(",", items);
    }

    private static void add(List<String> items, String name, Step step) {
        if (step.active()) {
            items.add(name + "=" + step.amount() + (step.probability() < 1 ? "@" + step.probability() : ""));
        }
    }

    private Augmentation with(Step rotation, Step widthShift, Step heightShift, Step shear, Step zoom, Step flip,
                              Step noise, Step crop) {
        return new Augmentation(or(rotation, this.rotation), or(widthShift, this.widthShift),
                or(heightShift, this.heightShift), or(shear, this.shear), or(zoom, this.zoom), or(flip, this.flip),
                or(noise, this.noise), or(crop, this.crop), fillMode, cval);
    }

    private static Step or(Step given, Step current) {
        return given != null ? given : current;
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
