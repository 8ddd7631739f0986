package dev.svertka.serve;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import dev.svertka.image.BadImageSamples;
import dev.svertka.image.BadImageSamples.Sample;
import dev.svertka.image.ImageDecodingException.Reason;
import dev.svertka.image.ImageEncoder;
import dev.svertka.card.InputShape;

/**
 * Every kind of input the issue lists, for the broker-level tests: the demo's bad samples plus
 * truncated JPEG, 0x0, decompression bomb and over-limit payload; and images in layouts that
 * must be converted, not refused (16-bit grey, RGBA, palette).
 */
final class BadInputs {

    private static final Map<String, String> PNG = Map.of("content-type", "image/png");
    private static final Map<String, String> JPEG = Map.of("content-type", "image/jpeg");

    private BadInputs() {
    }

    /** Events that must be dead-lettered, with their reasons. */
    static List<Sample> refused(byte[] goodPng, int payloadLimit) throws IOException {
        List<Sample> samples = new ArrayList<>(BadImageSamples.all(goodPng, 11));
        byte[] noise = new byte[112 * 112];
        new Random(3).nextBytes(noise);
        byte[] jpeg = write(ImageEncoder.toImage(new InputShape(1, 112, 112), noise), "jpeg");
        samples.add(new Sample("bad-truncated-jpeg", Arrays.copyOf(jpeg, jpeg.length / 2), JPEG, Reason.CORRUPT_IMAGE));
        samples.add(new Sample("bad-zero-size", withPngSize(goodPng, 0, 0), PNG, Reason.INVALID_DIMENSIONS));
        samples.add(new Sample("bad-bomb", withPngSize(goodPng, 200_000, 200_000), PNG, Reason.TOO_MANY_PIXELS));
        byte[] huge = new byte[payloadLimit + 100_000];
        System.arraycopy(goodPng, 0, huge, 0, goodPng.length);
        samples.add(new Sample("bad-too-large", huge, PNG, Reason.PAYLOAD_TOO_LARGE));
        return samples;
    }

    /**
     * Images in other layouts than 8-bit grey or RGB, which are converted and classified: 16-bit grey,
     * RGBA and palette PNGs, and a four-component (CMYK-like) JPEG.
     */
    static Map<String, byte[]> converted() throws IOException {
        BufferedImage sixteenBit = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        BufferedImage rgba = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
        BufferedImage palette = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_INDEXED);
        for (BufferedImage image : List.of(sixteenBit, rgba, palette)) {
            var g = image.createGraphics();
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(8, 4, 12, 20); // a bar, something like a "1"
            g.dispose();
        }
        return Map.of("ok-16-bit", write(sixteenBit, "png"), "ok-rgba", write(rgba, "png"),
                "ok-palette", write(palette, "png"), "ok-cmyk", cmykJpeg());
    }

    /**
     * {@code png} with the size in its IHDR chunk replaced (and the chunk's CRC fixed), so only the
     * header lies: what a decompression bomb or a 0x0 image looks like before decoding.
     */
    static byte[] withPngSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer header = ByteBuffer.wrap(out);
        header.putInt(16, width).putInt(20, height); // after signature (8), length (4), "IHDR" (4)
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17); // chunk type and its 13 data bytes
        header.putInt(29, (int) crc.getValue());
        return out;
    }

    /** A JPEG with four components, which ImageIO reads as CMYK. */
    private static byte[] cmykJpeg() throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(new IIOImage(Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 28, 28, 4, null), null,
                    null));
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] write(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(image, format, out)) {
                throw new IOException("no ImageIO writer for " + format);
            }
        }
        return bytes.toByteArray();
    }
}
