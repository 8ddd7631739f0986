package dev.svertka.image;

import dev.svertka.data.LabeledImages;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import dev.svertka.card.InputShape;

/** Turns the project's CHW byte images into ordinary images, e.g. PNG payloads to send for prediction. */
public final class ImageEncoder {

    private ImageEncoder() {
    }

    /** Image {@code index} of {@code images} as PNG bytes. */
    public static byte[] png(LabeledImages images, int index) {
        return png(images.shape(), images.image(index));
    }

    /** One CHW image as PNG bytes: 8-bit grey or RGB, pixel values unchanged. */
    public static byte[] png(InputShape shape, byte[] chw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // An explicit memory-cached stream: ImageIO.write(..., OutputStream) may spill to a temp file.
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageIO.write(toImage(shape, chw), "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG in memory", e);
        }
        return bytes.toByteArray();
    }

    /** One CHW image as a grey ({@code TYPE_BYTE_GRAY}) or RGB ({@code TYPE_3BYTE_BGR}) image. */
    public static BufferedImage toImage(InputShape shape, byte[] chw) {
        if (chw.length != shape.pixels()) {
            throw new IllegalArgumentException("image holds " + chw.length + " bytes, shape " + shape + " needs "
                    + shape.pixels());
        }
        int width = shape.width();
        int height = shape.height();
        BufferedImage image = new BufferedImage(width, height,
                shape.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster raster = image.getRaster();
        int[] plane = new int[width * height];
        for (int c = 0; c < shape.channels(); c++) {
            for (int i = 0; i < plane.length; i++) {
                plane[i] = chw[c * plane.length + i] & 0xFF;
            }
            raster.setSamples(0, 0, width, height, c, plane); // bands are R, G, B whatever the byte order
        }
        return image;
    }
}
