package dev.svertka.image;

import java.util.Arrays;

/**
 * Resizes image planes with a triangle (bilinear) filter that widens when shrinking, as PIL's
 * bilinear resize does: a 4000 px photo shrunk to 28 px then averages all its pixels instead of
 * sampling a few and aliasing the strokes away.
 *
 * <p>A {@link Plan} computes only a window of the resized picture (a centre crop's), reading only the source rows
 * that window needs, and serves every channel of a picture with the same filter taps.
 */
public final class Resampler {

    private Resampler() {
    }

    /** The whole plane resized. */
    public static float[] resize(float[] plane, int width, int height, int newWidth, int newHeight) {
        float[] out = new float[newWidth * newHeight];
        plan(width, height, newWidth, newHeight, 0, 0, newWidth, newHeight).apply(plane, out, 0);
        return out;
    }

    /**
     * Resizing {@code width}x{@code height} planes to {@code newWidth}x{@code newHeight} and keeping the
     * {@code outWidth}x{@code outHeight} window at ({@code left}, {@code top}) of the result.
     */
    public static Plan plan(int width, int height, int newWidth, int newHeight, int left, int top, int outWidth,
                            int outHeight) {
        if (left < 0 || top < 0 || left + outWidth > newWidth || top + outHeight > newHeight) {
            throw new IllegalArgumentException("window " + outWidth + "x" + outHeight + " at " + left + "," + top
                    + " is outside " + newWidth + "x" + newHeight);
        }
        return new Plan(width, taps(width, newWidth, left, outWidth), taps(height, newHeight, top, outHeight));
    }

    /** Filter taps for one picture size and window; immutable, so one plan serves all of a picture's channels. */
    public static final class Plan {

        private final int width;
        private final Taps columns;
        private final Taps rows;
        private final int firstRow;
        private final int sourceRows;

        private Plan(int width, Taps columns, Taps rows) {
            this.width = width;
            this.columns = columns;
            this.rows = rows;
            int last = 0;
            for (int y = 0; y < rows.first().length; y++) {
                last = Math.max(last, rows.first()[y] + rows.weights()[y].length);
            }
            this.firstRow = rows.first()[0];
            this.sourceRows = last - firstRow;
        }

        /** Writes the window of {@code plane} resized into {@code out} from {@code offset}, row after row. */
        public void apply(float[] plane, float[] out, int offset) {
            int outWidth = columns.first().length;
            // across: the source rows the window needs, already resized horizontally
            float[] across = new float[sourceRows * outWidth];
            for (int r = 0; r < sourceRows; r++) {
                int row = (firstRow + r) * width;
                for (int x = 0; x < outWidth; x++) {
                    float[] weights = columns.weights()[x];
                    int at = row + columns.first()[x];
                    float sum = 0;
                    for (int k = 0; k < weights.length; k++) {
                        sum += weights[k] * plane[at + k];
                    }
                    across[r * outWidth + x] = sum;
                }
            }
            // row by row, tap by tap: inner loops over x read and write consecutive floats (the JIT vectorises
            // them), and each output still sums its taps in order, as a per-pixel loop would
            for (int y = 0; y < rows.first().length; y++) {
                float[] weights = rows.weights()[y];
                int from = (rows.first()[y] - firstRow) * outWidth;
                int to = offset + y * outWidth;
                Arrays.fill(out, to, to + outWidth, 0f);
                for (int k = 0; k < weights.length; k++) {
                    float weight = weights[k];
                    for (int x = 0, at = from + k * outWidth; x < outWidth; x++, at++) {
                        out[to + x] += weight * across[at];
                    }
                }
            }
        }
    }

    /** For each output index, the first source index it reads and the weights from there on. */
    private record Taps(int[] first, float[][] weights) {
    }

    /** Taps of outputs {@code from} .. {@code from + count - 1} when {@code size} source pixels become {@code newSize}. */
    private static Taps taps(int size, int newSize, int from, int count) {
        double scale = (double) size / newSize;
        double radius = Math.max(1.0, scale);
        int[] first = new int[count];
        float[][] weights = new float[count][];
        for (int i = 0; i < count; i++) {
            double centre = (from + i + 0.5) * scale; // pixel centres, so edges line up in both sizes
            int lo = Math.max(0, (int) Math.floor(centre - radius));
            int hi = Math.min(size - 1, (int) Math.ceil(centre + radius));
            double[] raw = new double[hi - lo + 1];
            double total = 0;
            for (int s = lo; s <= hi; s++) {
                raw[s - lo] = Math.max(0, 1 - Math.abs(s + 0.5 - centre) / radius);
                total += raw[s - lo];
            }
            first[i] = lo;
            weights[i] = new float[raw.length];
            for (int k = 0; k < raw.length; k++) {
                weights[i][k] = (float) (raw[k] / total);
            }
        }
        return new Taps(first, weights);
    }
}
