package dev.svertka.image;

/**
 * An encoded image's width and height read from its first bytes, without decoding anything: what a caller needs
 * to know how much memory decoding it will take before it starts. Null where the header does not say (it is
 * damaged, or laid out in a way this does not read); the decoder's own checks then apply.
 */
final class HeaderSize {

    private HeaderSize() {
    }

    /** {width, height} of a PNG: the IHDR chunk, which the format requires first. */
    static int[] png(byte[] png) {
        return png.length < 24 ? null : new int[] {int32(png, 16), int32(png, 20)};
    }

    /** {width, height} of a JPEG: its first start-of-frame segment. */
    static int[] jpeg(byte[] jpeg) {
        int at = 2;
        while (at + 9 < jpeg.length) {
            if ((jpeg[at] & 0xFF) != 0xFF) {
                return null;
            }
            int marker = jpeg[at + 1] & 0xFF;
            if (marker == 0xFF) {
                at++; // fill byte
            } else if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD8) {
                at += 2; // markers without a length
            } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                return new int[] {uint16(jpeg, at + 7), uint16(jpeg, at + 5)};
            } else {
                at += 2 + uint16(jpeg, at + 2);
            }
        }
        return null;
    }

    /** {width, height} of a BMP: the info header (a negative height means rows stored top-down). */
    static int[] bmp(byte[] bmp) {
        return bmp.length < 26 ? null : new int[] {int32le(bmp, 18), Math.abs(int32le(bmp, 22))};
    }

    /** {width, height} of a GIF: its logical screen, which holds every frame. */
    static int[] gif(byte[] gif) {
        return gif.length < 10 ? null
                : new int[] {(gif[6] & 0xFF) | (gif[7] & 0xFF) << 8, (gif[8] & 0xFF) | (gif[9] & 0xFF) << 8};
    }

    private static int uint16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
    }

    private static int int32(byte[] bytes, int at) {
        return uint16(bytes, at) << 16 | uint16(bytes, at + 2);
    }

    private static int int32le(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16 | bytes[at + 3] << 24;
    }
}
