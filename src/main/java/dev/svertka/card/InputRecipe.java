package dev.svertka.card;

import dev.svertka.card.Preprocessing.ChannelOrder;
import dev.svertka.card.Preprocessing.Crop;
import dev.svertka.card.Preprocessing.Resize;

/**
 * Everything that turns a picture into a model's input: the input's shape, the pixel scale and the
 * {@link Preprocessing}. Training, evaluation, serving and the report all go through one recipe, the card's,
 * so that a model is fed in production exactly as it was trained.
 */
public record InputRecipe(InputShape input, float pixelScale, Preprocessing preprocessing) {

    public InputRecipe {
        if (!(pixelScale > 0) || !Float.isFinite(pixelScale)) {
            throw new IllegalArgumentException("pixelScale must be positive (bytes 0..255 are multiplied by it), got "
                    + pixelScale);
        }
        preprocessing = preprocessing == null ? Preprocessing.DEFAULT : preprocessing;
        perChannel("mean", preprocessing.mean().size(), input);
        perChannel("std", preprocessing.std().size(), input);
        Integer resizeTo = preprocessing.resizeTo();
        if (resizeTo != null && preprocessing.crop() == Crop.NONE) {
            throw new IllegalArgumentException("preprocessing.resizeTo " + resizeTo + " needs crop center: the"
                    + " picture would not have the input's size " + input.height() + "x" + input.width());
        }
        if (resizeTo != null && resizeTo < Math.max(input.height(), input.width())) {
            throw new IllegalArgumentException("preprocessing.resizeTo " + resizeTo + " is smaller than the input "
                    + input.height() + "x" + input.width() + " it is cropped to");
        }
    }

    /** Svertka's own recipe: bytes scaled to 0..1, stretched to the input size. */
    public static InputRecipe of(InputShape input) {
        return new InputRecipe(input, InputShape.PIXEL_SCALE, Preprocessing.DEFAULT);
    }

    /** The same recipe for another input size (photos trained at the size the user asks for). */
    public InputRecipe withInput(InputShape newInput) {
        return new InputRecipe(newInput, pixelScale, preprocessing);
    }

    private static void perChannel(String field, int values, InputShape input) {
        if (values != 1 && values != input.channels()) {
            throw new IllegalArgumentException("preprocessing." + field + " has " + values + " values for an input"
                    + " of " + input.channels() + " channel(s): give one, or one per channel");
        }
    }

    /**
     * Where a {@code width}x{@code height} picture goes: resized to {@code resizedWidth}x{@code resizedHeight},
     * then the input's size cut out at ({@code left}, {@code top}).
     */
    public record Fit(int resizedWidth, int resizedHeight, int left, int top) {
    }

    public Fit fit(int width, int height) {
        int resizedWidth;
        int resizedHeight;
        Integer to = preprocessing.resizeTo();
        if (preprocessing.resize() == Resize.SHORTER_SIDE) {
            // torchvision's Resize(int): the longer side scaled alike, truncated
            if (width <= height) {
                resizedWidth = to;
                resizedHeight = (int) ((double) to * height / width);
            } else {
                resizedHeight = to;
                resizedWidth = (int) ((double) to * width / height);
            }
        } else if (to != null) {
            resizedWidth = to;
            resizedHeight = to;
        } else {
            return new Fit(input.width(), input.height(), 0, 0);
        }
        // torchvision's CenterCrop rounds the margins with Python's round(): halves to even, as rint does
        return new Fit(resizedWidth, resizedHeight, (int) Math.rint((resizedWidth - input.width()) / 2.0),
                (int) Math.rint((resizedHeight - input.height()) / 2.0));
    }

    /**
     * Turns one CHW image of 0..255 values (RGB, or grey), at {@code offset} in {@code values}, into input values
     * in place: channels reordered, then {@code (v * pixelScale - mean) / std}.
     */
    public void normalise(float[] values, int offset) {
        int plane = input.height() * input.width();
        if (preprocessing.channelOrder() == ChannelOrder.BGR && input.channels() == 3) {
            for (int i = offset; i < offset + plane; i++) {
                float red = values[i];
                values[i] = values[i + 2 * plane];
                values[i + 2 * plane] = red;
            }
        }
        for (int c = 0; c < input.channels(); c++) {
            double std = channel(preprocessing.std(), c);
            float scale = (float) (pixelScale / std);
            float shift = (float) (-channel(preprocessing.mean(), c) / std);
            for (int i = offset + c * plane, end = i + plane; i < end; i++) {
                values[i] = values[i] * scale + shift;
            }
        }
    }

    private static double channel(java.util.List<Double> values, int c) {
        return values.size() == 1 ? values.get(0) : values.get(c);
    }
}
