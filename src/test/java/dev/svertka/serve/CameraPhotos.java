package dev.svertka.serve;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Photos the size of a camera's, generated: a colour gradient under sensor noise. The noise is what keeps a photo
 * from compressing to nothing, so these weigh what real ones do: a 6 MP JPEG at quality 95 about 2.8 MiB, a
 * 12 MP one about 5.7 MiB, a 1280x960 PNG about 3.2 MiB.
 */
final class CameraPhotos {

    /** Standard deviation of the noise, in 8-bit levels: a phone camera's in indoor light. */
    private static final double NOISE = 10;

    private CameraPhotos() {
    }

    static byte[] jpeg(int width, int height) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam quality = writer.getDefaultWriteParam();
        quality.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        quality.setCompressionQuality(0.95f);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(noisy(width, height), null, null), quality);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    static byte[] png(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageIO.write(noisy(width, height), "png", out);
        }
        return bytes.toByteArray();
    }

    private static BufferedImage noisy(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        SplittableRandom random = new SplittableRandom(width * 31L + height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int pixel = (y * width + x) * 3;
                bgr[pixel] = level(128, random);
                bgr[pixel + 1] = level(255 * y / height, random);
                bgr[pixel + 2] = level(255 * x / width, random);
            }
        }
        return image;
    }

    private static byte level(int clean, SplittableRandom random) {
        return (byte) Math.max(0, Math.min(255, Math.round(clean + random.nextGaussian() * NOISE)));
    }
}
