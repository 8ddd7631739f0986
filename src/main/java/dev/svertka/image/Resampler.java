package dev.svertka.image;

/**
 * Resizes one image plane with a triangle (bilinear) filter that widens when shrinking, as PIL's
 * bilinear resize does: a 4000 px photo shrunk to 28 px then averages all its pixels instead of
 * sampling a few and aliasing the strokes away.
 */
public final class Resampler {

    private Resampler() {
    }

    public static float[] resize(float[] plane, int width, int height, int newWidth, int newHeight) {
        Taps columns = taps(width, newWidth);
        Taps rows = taps(height, newHeight);
        float[] across = new float[height * newWidth];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < newWidth; x++) {
                float[] weights = columns.weights()[x];
                int first = columns.first()[x];
                float sum = 0;
                for (int k = 0; k < weights.length; k++) {
                    sum += weights[k] * plane[y * width + first + k];
                }
                across[y * newWidth + x] = sum;
            }
        }
        float[] out = new float[newHeight * newWidth];
        for (int y = 0; y < newHeight; y++) {
            float[] weights = rows.weights()[y];
            int first = rows.first()[y];
            for (int x = 0; x < newWidth; x++) {
                float sum = 0;
                for (int k = 0; k < weights.length; k++) {
                    sum += weights[k] * across[(first + k) * newWidth + x];
                }
                out[y * newWidth + x] = sum;
            }
        }
        return out;
    }

    /** For each output index, the first source index it reads and the weights from there on. */
    private record Taps(int[] first, float[][] weights) {
    }

    private static Taps taps(int size, int newSize) {
        double scale = (double) size / newSize;
        double radius = Math.max(1.0, scale);
        int[] first = new int[newSize];
        float[][] weights = new float[newSize][];
        for (int o = 0; o < newSize; o++) {
            double centre = (o + 0.5) * scale; // pixel centres, so edges line up in both sizes
            int from = Math.max(0, (int) Math.floor(centre - radius));
            int to = Math.min(size - 1, (int) Math.ceil(centre + radius));
            double[] raw = new double[to - from + 1];
            double total = 0;
            for (int i = from; i <= to; i++) {
                raw[i - from] = Math.max(0, 1 - Math.abs(i + 0.5 - centre) / radius);
                total += raw[i - from];
            }
            first[o] = from;
            weights[o] = new float[raw.length];
            for (int k = 0; k < raw.length; k++) {
                weights[o][k] = (float) (raw[k] / total);
            }
        }
        return new Taps(first, weights);
    }
}
