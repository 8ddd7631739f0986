package dev.svertka.card;

/**
 * The image a network takes, in NCHW order without the batch axis.
 * Pixels are scaled by {@link #PIXEL_SCALE} (bytes 0..255 to 0..1), as the seed's Keras code did.
 */
public record InputShape(int channels, int height, int width) {

    public static final float PIXEL_SCALE = 1f / 255f;

    /** The largest side a model input may have: beyond it one image's tensor alone would take gigabytes. */
    public static final int MAX_SIDE = 2048;

    public InputShape {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        if (height > MAX_SIDE || width > MAX_SIDE) {
            throw new IllegalArgumentException("image size must be at most " + MAX_SIDE + " a side, got " + height
                    + "x" + width);
        }
    }

    /** Parses CHANNELSxHEIGHTxWIDTH, e.g. {@code 1x28x28}. */
    public static InputShape parse(String text) {
        String[] parts = text.strip().toLowerCase(java.util.Locale.ROOT).split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException("invalid input shape '" + text + "': use CHANNELSxHEIGHTxWIDTH, e.g. 1x28x28");
        }
        try {
            return new InputShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid input shape '" + text + "': use CHANNELSxHEIGHTxWIDTH, e.g. 1x28x28");
        }
    }

    public int pixels() {
        return channels * height * width;
    }

    public String colourMode() {
        return channels == 1 ? "grey" : "rgb";
    }
}
