package dev.svertka.image;

/** Conversions between the float pixels of computation and the bytes images are kept in. */
public final class Pixels {

    private Pixels() {
    }

    /** {@code values * scale}, rounded and clamped to 0..255. */
    public static byte[] toBytes(float[] values, float scale) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) Math.round(Math.min(255f, Math.max(0f, values[i] * scale)));
        }
        return out;
    }
}
