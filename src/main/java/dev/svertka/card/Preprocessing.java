package dev.svertka.card;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a picture of any size becomes the network's input, beyond the pixel scale: channel order, per-channel
 * mean and standard deviation (after scaling), and the geometry: stretched to the input size, or resized so
 * that its shorter side is {@code resizeTo} and then center-cropped, as torchvision's
 * {@code Resize(n), CenterCrop(m)} and most ImageNet models do. A value is
 * {@code (byte * pixelScale - mean[c]) / std[c]}, channel {@code c} counted in {@link #channelOrder}.
 *
 * @param mean one value per channel, or one for all
 * @param std  one positive value per channel, or one for all
 * @param resizeTo the shorter side for {@link Resize#SHORTER_SIDE}; for {@link Resize#STRETCH} the square the
 *                 picture is stretched to before a center crop, or null to stretch straight to the input size
 */
public record Preprocessing(ChannelOrder channelOrder, List<Double> mean, List<Double> std, Resize resize,
                            Integer resizeTo, Crop crop) {

    /** What Svertka did before cards had a recipe: RGB, no mean or std, stretched to the input size. */
    public static final Preprocessing DEFAULT = new Preprocessing(ChannelOrder.RGB, List.of(0.0), List.of(1.0),
            Resize.STRETCH, null, Crop.NONE);

    /** Missing fields take {@link #DEFAULT}'s values, so a card may give only what differs. */
    public Preprocessing {
        channelOrder = channelOrder == null ? ChannelOrder.RGB : channelOrder;
        mean = List.copyOf(mean == null ? List.of(0.0) : mean);
        std = List.copyOf(std == null ? List.of(1.0) : std);
        resize = resize == null ? Resize.STRETCH : resize;
        crop = crop == null ? Crop.NONE : crop;
        if (mean.isEmpty() || mean.stream().anyMatch(m -> !Double.isFinite(m))) {
            throw new IllegalArgumentException("preprocessing.mean must hold finite numbers, got " + mean);
        }
        if (std.isEmpty() || std.stream().anyMatch(s -> !(s > 0) || !Double.isFinite(s))) {
            throw new IllegalArgumentException("preprocessing.std must hold positive numbers, got " + std);
        }
        if (resizeTo != null && resizeTo < 1) {
            throw new IllegalArgumentException("preprocessing.resizeTo must be positive, got " + resizeTo);
        }
        if (resize == Resize.SHORTER_SIDE && resizeTo == null) {
            throw new IllegalArgumentException("preprocessing.resizeTo is needed with resize shorter-side");
        }
        if (resize == Resize.SHORTER_SIDE && crop == Crop.NONE) {
            throw new IllegalArgumentException("preprocessing.crop must be center with resize shorter-side: without"
                    + " a crop, pictures of other aspect ratios would not have the input's size");
        }
    }

    /** A choice written in a card as its lower-case name, '-' for '_'. */
    interface Choice {
        String name();

        @JsonValue
        default String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** How the three planes of an RGB picture are ordered in the input (Caffe-era models take BGR). */
    public enum ChannelOrder implements Choice {
        RGB, BGR;

        @JsonCreator
        static ChannelOrder parse(String text) {
            return named("preprocessing.channelOrder", values(), text);
        }

        @Override
        public String text() {
            return name();
        }
    }

    public enum Resize implements Choice {
        STRETCH, SHORTER_SIDE;

        @JsonCreator
        static Resize parse(String text) {
            return named("preprocessing.resize", values(), text);
        }
    }

    public enum Crop implements Choice {
        NONE, CENTER;

        @JsonCreator
        static Crop parse(String text) {
            return named("preprocessing.crop", values(), text);
        }
    }

    /** The constant whose name, ignoring case and '-' for '_', is {@code text}; else an error naming the field. */
    private static <E extends Enum<E> & Choice> E named(String field, E[] values, String text) {
        String key = text == null ? "" : text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values).filter(value -> value.name().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(field + " '" + text + "' is not one of "
                        + Arrays.stream(values).map(Choice::text).collect(Collectors.joining(", "))));
    }
}
