package dev.svertka.data;

import dev.svertka.image.Resampler;

import java.util.Arrays;
import java.util.Random;

import dev.svertka.card.InputShape;

/**
 * Applies an {@link Augmentation} to CHW byte images, grey or RGB. What happens to one image is first drawn as a
 * {@link Draw} (the random part), then rendered, every channel alike: the geometric transforms as one affine
 * resampling (bilinear, as Keras' {@code order=1}), then the random crop resized back, then the colour jitter
 * (brightness, contrast, saturation, in that order, each clamped to 0..255 as torchvision's), then Gaussian noise.
 *
 * <p>The randomness of an image depends only on (seed, epoch, index), never on batch order or on the
 * thread that augments it, so runs are reproducible with prefetching too. Thread-safe.
 */
public final class Augmenter {

    private final Augmentation augmentation;
    private final InputShape shape;

    /**
     * One image's drawn transform; angles in degrees, shifts in pixels, zooms as magnification.
     *
     * @param cropWidth  the fraction of the width kept by a random crop (1: none), likewise cropHeight, at cropX,
     *                   cropY (0..1 of the slack)
     * @param brightness a colour jitter factor (1: none), likewise contrast and saturation
     * @param noiseStd   the noise standard deviation in 0..255 units (0: none), drawn from {@code noiseSeed}
     */
    public record Draw(double rotation, double shiftX, double shiftY, double shear, double zoomX, double zoomY,
                       boolean flip, double cropWidth, double cropHeight, double cropX, double cropY, double brightness,
                       double contrast, double saturation, double noiseStd, long noiseSeed) {

        public static final Draw IDENTITY = new Draw(0, 0, 0, 0, 1, 1, false, 1, 1, 0, 0, 1, 1, 1, 0, 0);

        boolean cropped() {
            return cropWidth < 1 || cropHeight < 1;
        }

        boolean jittered() {
            return brightness != 1 || contrast != 1 || saturation != 1;
        }
    }

    public Augmenter(Augmentation augmentation, InputShape shape) {
        this.augmentation = augmentation;
        this.shape = shape;
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    /** Image {@code index} of an epoch, augmented, as CHW floats in 0..255. */
    public float[] apply(byte[] chw, long seed, int epoch, int index) {
        return render(toFloats(chw), draw(random(seed, epoch, index)));
    }

    /** A seeded source for one image of one epoch (SplitMix64-style mixing of the three numbers). */
    static Random random(long seed, int epoch, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1) + 0xBF58476D1CE4E5B9L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }

    public Draw draw(Random random) {
        Augmentation a = augmentation;
        double rotation = symmetric(random, a.rotation());
        double shiftX = symmetric(random, a.widthShift()) * shape.width();
        double shiftY = symmetric(random, a.heightShift()) * shape.height();
        double shear = symmetric(random, a.shear());
        boolean zoomed = happens(random, a.zoom());
        double zoomX = zoomed ? 1 + (2 * random.nextDouble() - 1) * a.zoom().amount() : 1;
        double zoomY = zoomed ? 1 + (2 * random.nextDouble() - 1) * a.zoom().amount() : 1;
        boolean flip = happens(random, a.flip());
        boolean cropped = happens(random, a.crop());
        double cropWidth = cropped ? a.crop().amount() + random.nextDouble() * (1 - a.crop().amount()) : 1;
        double cropHeight = cropWidth;
        double cropX = cropped ? random.nextDouble() : 0;
        double cropY = cropped ? random.nextDouble() : 0;
        double noise = happens(random, a.noise()) ? a.noise().amount() * 255 : 0;
        long noiseSeed = random.nextLong();
        // drawn after the older transforms, so that their draws are what they were before these existed
        if (happens(random, a.resizedCrop())) {
            double area = a.resizedCrop().amount() + random.nextDouble() * (1 - a.resizedCrop().amount());
            double aspect = Math.exp(Math.log(3.0 / 4) + random.nextDouble() * Math.log(16.0 / 9));
            // torchvision tries again when the window does not fit; clamping keeps one draw per image
            cropWidth = Math.min(1, Math.sqrt(area * aspect));
            cropHeight = Math.min(1, Math.sqrt(area / aspect));
            cropX = random.nextDouble();
            cropY = random.nextDouble();
        }
        return new Draw(rotation, shiftX, shiftY, shear, zoomX, zoomY, flip, cropWidth, cropHeight, cropX, cropY,
                factor(random, a.brightness()), factor(random, a.contrast()), factor(random, a.saturation()), noise,
                noiseSeed);
    }

    /** A colour jitter factor: uniform in [max(0, 1-f), 1+f] when the step happens, else 1. */
    private static double factor(Random random, Augmentation.Step step) {
        return Math.max(0, 1 + symmetric(random, step));
    }

    private static boolean happens(Random random, Augmentation.Step step) {
        // always consume the same numbers, so switching one transform off leaves the others' draws alone
        double roll = random.nextDouble();
        return step.active() && roll < step.probability();
    }

    private static double symmetric(Random random, Augmentation.Step step) {
        boolean on = happens(random, step);
        double value = (2 * random.nextDouble() - 1) * step.amount();
        return on ? value : 0;
    }

    /** Renders a drawn transform on CHW floats (0..255); the input is not changed. */
    public float[] render(float[] chw, Draw d) {
        int w = shape.width();
        int h = shape.height();
        int plane = w * h;
        float[] out = new float[chw.length];
        Inverse inverse = Inverse.of(d, w, h);
        for (int c = 0; c < shape.channels(); c++) {
            float[] source = new float[plane];
            System.arraycopy(chw, c * plane, source, 0, plane);
            float[] moved = inverse.identity() ? source : resample(source, inverse);
            if (d.cropped()) {
                moved = crop(moved, d);
            }
            System.arraycopy(moved, 0, out, c * plane, plane);
        }
        if (d.jittered()) {
            jitter(out, d);
        }
        if (d.noiseStd() > 0) {
            Random noise = new Random(d.noiseSeed());
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) Math.min(255, Math.max(0, out[i] + noise.nextGaussian() * d.noiseStd()));
            }
        }
        return out;
    }

    /**
     * The map from an output pixel back to where it samples the input. The content moves as
     * {@code p_out = c + t + R·S·Z·(p_in - c)} around the centre {@code c} (rotation R, shear S, zoom Z,
     * shift t), mirrored first when flipped; sampling inverts that.
     */
    private record Inverse(double a, double b, double c, double d, double cx, double cy, double tx, double ty,
                           boolean flip, int width) {

        static Inverse of(Draw draw, int width, int height) {
            double theta = Math.toRadians(draw.rotation());
            double cos = Math.cos(theta);
            double sin = Math.sin(theta);
            double shear = Math.tan(Math.toRadians(draw.shear()));
            // M = R · [[1, shear], [0, 1]] · diag(zx, zy)
            double m00 = cos * draw.zoomX();
            double m01 = (cos * shear - sin) * draw.zoomY();
            double m10 = sin * draw.zoomX();
            double m11 = (sin * shear + cos) * draw.zoomY();
            double det = m00 * m11 - m01 * m10;
            return new Inverse(m11 / det, -m01 / det, -m10 / det, m00 / det, (width - 1) / 2.0, (height - 1) / 2.0,
                    draw.shiftX(), draw.shiftY(), draw.flip(), width);
        }

        boolean identity() {
            return a == 1 && b == 0 && c == 0 && d == 1 && tx == 0 && ty == 0 && !flip;
        }

        double sourceX(double x, double y) {
            double sx = a * (x - cx - tx) + b * (y - cy - ty) + cx;
            return flip ? width - 1 - sx : sx;
        }

        double sourceY(double x, double y) {
            return c * (x - cx - tx) + d * (y - cy - ty) + cy;
        }
    }

    private float[] resample(float[] source, Inverse inverse) {
        int w = shape.width();
        int h = shape.height();
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = bilinear(source, inverse.sourceX(x, y), inverse.sourceY(x, y));
            }
        }
        return out;
    }

    private float bilinear(float[] source, double x, double y) {
        // snap values within rounding error of a pixel centre, so whole-pixel moves stay exact
        double rx = Math.rint(x);
        double ry = Math.rint(y);
        x = Math.abs(x - rx) < 1e-6 ? rx : x;
        y = Math.abs(y - ry) < 1e-6 ? ry : y;
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        double top = (1 - fx) * sample(source, x0, y0) + (fx == 0 ? 0 : fx * sample(source, x0 + 1, y0));
        if (fy == 0) {
            return (float) top;
        }
        double bottom = (1 - fx) * sample(source, x0, y0 + 1) + (fx == 0 ? 0 : fx * sample(source, x0 + 1, y0 + 1));
        return (float) ((1 - fy) * top + fy * bottom);
    }

    private float sample(float[] source, int x, int y) {
        int w = shape.width();
        int h = shape.height();
        if (x >= 0 && x < w && y >= 0 && y < h) {
            return source[y * w + x];
        }
        if (augmentation.fillMode() == Augmentation.FillMode.CONSTANT) {
            return augmentation.cval();
        }
        return source[fold(y, h) * w + fold(x, w)];
    }

    /** An index outside 0..size-1 brought inside by the fill mode (not CONSTANT). */
    private int fold(int i, int size) {
        return switch (augmentation.fillMode()) {
            case NEAREST, CONSTANT -> Math.max(0, Math.min(size - 1, i));
            case WRAP -> Math.floorMod(i, size);
            case REFLECT -> {
                int m = Math.floorMod(i, 2 * size);
                yield m < size ? m : 2 * size - 1 - m;
            }
        };
    }

    /** Keeps the drawn window and resizes it back to full size. */
    private float[] crop(float[] plane, Draw d) {
        int w = shape.width();
        int h = shape.height();
        int cw = Math.max(1, (int) Math.round(w * d.cropWidth()));
        int ch = Math.max(1, (int) Math.round(h * d.cropHeight()));
        int x0 = (int) Math.round(d.cropX() * (w - cw));
        int y0 = (int) Math.round(d.cropY() * (h - ch));
        float[] window = new float[cw * ch];
        for (int y = 0; y < ch; y++) {
            System.arraycopy(plane, (y0 + y) * w + x0, window, y * cw, cw);
        }
        return Resampler.resize(window, cw, ch, w, h);
    }

    /**
     * torchvision's colour jitter, in place: brightness scales every value, contrast blends with the image's mean
     * grey, saturation with each pixel's grey (luma, as {@code ImageDecoder} computes it; RGB only).
     */
    private void jitter(float[] chw, Draw d) {
        int plane = shape.width() * shape.height();
        boolean rgb = shape.channels() == 3;
        blend(chw, d.brightness(), new float[plane]);
        float[] grey = grey(chw, plane, rgb);
        double mean = 0;
        for (float v : grey) {
            mean += v;
        }
        float[] meanGrey = new float[plane];
        Arrays.fill(meanGrey, (float) (mean / plane));
        blend(chw, d.contrast(), meanGrey);
        if (rgb) {
            blend(chw, d.saturation(), grey(chw, plane, true));
        }
    }

    /** {@code v = factor * v + (1 - factor) * other} for every channel, clamped to 0..255. */
    private static void blend(float[] chw, double factor, float[] other) {
        if (factor == 1) {
            return;
        }
        int plane = other.length;
        for (int i = 0; i < chw.length; i++) {
            double v = factor * chw[i] + (1 - factor) * other[i % plane];
            chw[i] = (float) Math.min(255, Math.max(0, v));
        }
    }

    private static float[] grey(float[] chw, int plane, boolean rgb) {
        if (!rgb) {
            return Arrays.copyOf(chw, plane);
        }
        float[] grey = new float[plane];
        for (int i = 0; i < plane; i++) {
            grey[i] = 0.299f * chw[i] + 0.587f * chw[plane + i] + 0.114f * chw[2 * plane + i];
        }
        return grey;
    }

    private static float[] toFloats(byte[] chw) {
        float[] out = new float[chw.length];
        for (int i = 0; i < chw.length; i++) {
            out[i] = chw[i] & 0xFF;
        }
        return out;
    }
}
