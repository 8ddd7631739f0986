package dev.svertka.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import dev.svertka.image.ImageDecodingException.Reason;

/**
 * The common PNG straight from its bytes: 8-bit grey, grey + alpha, RGB or RGBA, not interlaced. An
 * inference pod decodes thousands of these a second, and ImageIO spends far more time setting up its
 * streams, caches and readers than inflating a 28×28 image. Anything else (palette, 16-bit or sub-byte
 * samples, interlacing, a transparent colour key, an ICC profile) is left to ImageIO: {@link #decode}
 * answers null. The pixels match ImageIO's, alpha composited over black the same way.
 */
final class PngDecoder {

    /**
     * Checks a size from the header, before any pixel is inflated (decompression bombs); false leaves the image
     * to ImageIO (which can decode it subsampled).
     */
    interface SizeCheck {
        boolean decodeWhole(int width, int height) throws ImageDecodingException;
    }

    private static final long SIGNATURE = 0x89504E470D0A1A0AL;
    private static final int IHDR = chunk("IHDR");
    private static final int IDAT = chunk("IDAT");
    private static final int IEND = chunk("IEND");
    private static final int TRNS = chunk("tRNS");
    private static final int ICCP = chunk("iCCP");
    private static final int PLTE = chunk("PLTE");
    private static final int[] CHANNELS = {1, 0, 3, 0, 2, 0, 4};

    private PngDecoder() {
    }

    /** The image's planes (0..255), or null when ImageIO should decode it. */
    static ImageDecoder.Planes decode(byte[] png, SizeCheck sizeCheck) throws ImageDecodingException {
        ByteBuffer in = ByteBuffer.wrap(png);
        if (png.length < 24 || in.getLong(0) != SIGNATURE || in.getInt(12) != IHDR) {
            return null; // let ImageIO say what is wrong with it
        }
        int width = in.getInt(16);
        int height = in.getInt(20);
        if (!sizeCheck.decodeWhole(width, height) || png.length < 33) {
            return null;
        }
        int depth = png[24];
        int colourType = png[25];
        boolean interlaced = png[28] != 0;
        if (depth != 8 || colourType < 0 || colourType >= CHANNELS.length || CHANNELS[colourType] == 0
                || interlaced || png[26] != 0 || png[27] != 0) {
            return null;
        }
        int channels = CHANNELS[colourType];
        int stride = width * channels;
        long size = (long) height * (stride + 1);
        if (size > Integer.MAX_VALUE - 8) {
            return null; // beyond one Java array (only with a raised pixel limit)
        }
        byte[] scanlines = new byte[(int) size];
        Inflater inflater = new Inflater();
        try {
            int inflated = 0;
            boolean ended = false;
            for (int at = 8; !ended; ) {
                if (at + 12 > png.length) {
                    throw corrupt("it ends inside a chunk header at byte " + at + " (truncated?)");
                }
                int length = in.getInt(at);
                int type = in.getInt(at + 4);
                if (length < 0 || at + 12L + length > png.length) {
                    throw corrupt("a chunk of " + length + " bytes at byte " + at + " runs past the end (truncated?)");
                }
                checkCrc(in, at, length);
                if (type == TRNS || type == ICCP || type == PLTE) {
                    return null; // colour key, colour profile, suggested palette: ImageIO's conversions apply
                } else if (type == IDAT) {
                    inflater.setInput(png, at + 8, length);
                    inflated += inflater.inflate(scanlines, inflated, scanlines.length - inflated);
                } else if (type == IEND) {
                    ended = true;
                }
                at += 12 + length;
            }
            if (inflated < scanlines.length) {
                throw corrupt("its pixel data stops after " + inflated + " of " + scanlines.length + " bytes");
            }
        } catch (DataFormatException e) {
            throw new ImageDecodingException(Reason.CORRUPT_IMAGE, "damaged PNG: bad compressed data: "
                    + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        unfilter(scanlines, height, stride, channels);
        return planes(scanlines, width, height, channels);
    }

    private static void checkCrc(ByteBuffer png, int at, int length) throws ImageDecodingException {
        CRC32 crc = new CRC32();
        crc.update(png.array(), at + 4, length + 4);
        if ((int) crc.getValue() != png.getInt(at + 8 + length)) {
            throw corrupt("the checksum of chunk '" + new String(png.array(), at + 4, 4, StandardCharsets.ISO_8859_1)
                    + "' at byte " + at + " is wrong");
        }
    }

    /** Undoes the per-row filters in place (PNG spec, section 9); each row's filter byte stays. */
    private static void unfilter(byte[] data, int height, int stride, int bpp) throws ImageDecodingException {
        for (int y = 0; y < height; y++) {
            int row = y * (stride + 1) + 1;
            int previous = row - (stride + 1); // the row above; unused for the first row
            int filter = data[row - 1];
            for (int x = 0; x < stride; x++) {
                int left = x >= bpp ? data[row + x - bpp] & 0xFF : 0;
                int up = y > 0 ? data[previous + x] & 0xFF : 0;
                int upLeft = y > 0 && x >= bpp ? data[previous + x - bpp] & 0xFF : 0;
                int predictor = switch (filter) {
                    case 0 -> 0;
                    case 1 -> left;
                    case 2 -> up;
                    case 3 -> (left + up) >>> 1;
                    case 4 -> paeth(left, up, upLeft);
                    default -> throw corrupt("row " + y + " has unknown filter type " + filter);
                };
                data[row + x] = (byte) (data[row + x] + predictor);
            }
        }
    }

    static int paeth(int left, int up, int upLeft) {
        int estimate = left + up - upLeft;
        int toLeft = Math.abs(estimate - left);
        int toUp = Math.abs(estimate - up);
        int toUpLeft = Math.abs(estimate - upLeft);
        return toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
    }

    private static ImageDecoder.Planes planes(byte[] data, int width, int height, int channels) {
        int colours = channels <= 2 ? 1 : 3;
        boolean alpha = channels == 2 || channels == 4;
        float[][] planes = new float[colours][width * height];
        for (int y = 0; y < height; y++) {
            int row = y * (width * channels + 1) + 1;
            for (int c = 0; c < colours; c++) {
                float[] plane = planes[c];
                for (int x = 0, at = row + c, to = y * width; x < width; x++, at += channels, to++) {
                    // alpha composited over black with the same arithmetic as ImageDecoder's ImageIO path
                    plane[to] = alpha ? (data[at] & 0xFF) * ((data[at + colours - c] & 0xFF) / 255f) : data[at] & 0xFF;
                }
            }
        }
        return new ImageDecoder.Planes(width, height, planes);
    }

    private static ImageDecodingException corrupt(String what) {
        return new ImageDecodingException(Reason.CORRUPT_IMAGE, "damaged PNG: " + what);
    }

    private static int chunk(String name) {
        return ByteBuffer.wrap(name.getBytes(StandardCharsets.ISO_8859_1)).getInt();
    }
}
