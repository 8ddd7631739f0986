package dev.svertka.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import dev.svertka.image.ImageDecodingException.Reason;

/** The PNG fast path against pixels it was given, against ImageIO, and on damaged files. */
class PngDecoderTest {

    private static final PngDecoder.SizeCheck ANY_SIZE = (width, height) -> true;
    private final Random random = new Random(7);

    @Test
    void everyRowFilterIsUndone() throws Exception {
        for (int channels : new int[] {1, 2, 3, 4}) {
            int width = 13;
            int height = 10; // two rows of each of the five filters
            byte[] pixels = new byte[width * height * channels];
            random.nextBytes(pixels);
            ImageDecoder.Planes planes = PngDecoder.decode(png(width, height, channels, pixels), ANY_SIZE);

            assertThat(planes.width()).isEqualTo(width);
            assertThat(planes.height()).isEqualTo(height);
            int colours = channels <= 2 ? 1 : 3;
            assertThat(planes.channels()).hasNumberOfRows(colours);
            for (int i = 0; i < width * height; i++) {
                float opacity = channels % 2 == 0 ? (pixels[i * channels + colours] & 0xFF) / 255f : 1f;
                for (int c = 0; c < colours; c++) {
                    assertThat(planes.channels()[c][i]).as("channels %d, pixel %d, colour %d", channels, i, c)
                            .isEqualTo((pixels[i * channels + c] & 0xFF) * opacity);
                }
            }
        }
    }

    @Test
    void matchesImageIoOnImagesImageIoWrote() throws Exception {
        for (BufferedImage image : new BufferedImage[] {noise(BufferedImage.TYPE_BYTE_GRAY),
                noise(BufferedImage.TYPE_3BYTE_BGR), noise(BufferedImage.TYPE_4BYTE_ABGR), greyWithAlpha()}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            byte[] png = out.toByteArray();
            ImageDecoder.Planes fast = PngDecoder.decode(png, ANY_SIZE);
            BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));

            assertThat(fast).as("image type %d takes the fast path", image.getType()).isNotNull();
            for (int y = 0; y < read.getHeight(); y++) {
                for (int x = 0; x < read.getWidth(); x++) {
                    int i = y * read.getWidth() + x;
                    if (fast.channels().length == 1) {
                        int[] sample = read.getRaster().getPixel(x, y, (int[]) null);
                        float opacity = sample.length == 2 ? sample[1] / 255f : 1f;
                        assertThat(fast.channels()[0][i]).isEqualTo(sample[0] * opacity);
                    } else {
                        int argb = read.getRGB(x, y);
                        float opacity = (argb >>> 24) / 255f;
                        assertThat(fast.channels()[0][i]).isEqualTo((argb >> 16 & 0xFF) * opacity);
                        assertThat(fast.channels()[1][i]).isEqualTo((argb >> 8 & 0xFF) * opacity);
                        assertThat(fast.channels()[2][i]).isEqualTo((argb & 0xFF) * opacity);
                    }
                }
            }
        }
    }

    @Test
    void leavesPaletteAndSixteenBitImagesToImageIo() throws Exception {
        for (int type : new int[] {BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_USHORT_GRAY,
                BufferedImage.TYPE_BYTE_BINARY}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(noise(type), "png", out);
            assertThat(PngDecoder.decode(out.toByteArray(), ANY_SIZE)).as("image type %d", type).isNull();
        }
    }

    @Test
    void checksTheSizeBeforeInflating() {
        byte[] png = png(5, 4, 1, new byte[20]);
        assertThatThrownBy(() -> PngDecoder.decode(png, (width, height) -> {
            throw new ImageDecodingException(Reason.TOO_MANY_PIXELS, width + "x" + height);
        })).isInstanceOf(ImageDecodingException.class).hasMessage("5x4");
    }

    @Test
    void refusesDamagedFiles() {
        byte[] png = png(9, 9, 1, new byte[81]);

        byte[] flipped = png.clone();
        flipped[45] ^= 0x10; // inside IDAT: its checksum no longer matches
        assertCorrupt(flipped, "checksum of chunk 'IDAT'");
        assertCorrupt(Arrays.copyOf(png, png.length - 20), "runs past the end");
        assertCorrupt(Arrays.copyOf(png, png.length - 12), "ends inside a chunk header");
        byte[] shortData = png(9, 9, 1, new byte[81], 9 * 10 - 3); // three pixel bytes fewer than 9 rows
        assertCorrupt(shortData, "stops after 87 of 90 bytes");
    }

    @Test
    void refusesAnUnknownRowFilter() {
        byte[] rows = new byte[3 * 4];
        rows[4] = 7; // the second row's filter byte
        assertCorrupt(pngFromScanlines(3, 3, 1, rows), "row 1 has unknown filter type 7");
    }

    private static void assertCorrupt(byte[] png, String message) {
        assertThatThrownBy(() -> PngDecoder.decode(png, ANY_SIZE)).isInstanceOf(ImageDecodingException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ImageDecodingException) e).reason()).isEqualTo(Reason.CORRUPT_IMAGE));
    }

    private BufferedImage noise(int type) {
        BufferedImage image = new BufferedImage(17, 11, type);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        return image;
    }

    private BufferedImage greyWithAlpha() {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(9, 7);
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                raster.setPixel(x, y, new int[] {random.nextInt(256), random.nextInt(256)});
            }
        }
        return new BufferedImage(model, raster, false, null);
    }

    /** A PNG whose row {@code y} uses filter {@code y % 5}, written by the spec rather than by ImageIO. */
    private static byte[] png(int width, int height, int channels, byte[] pixels) {
        return png(width, height, channels, pixels, Integer.MAX_VALUE);
    }

    private static byte[] png(int width, int height, int channels, byte[] pixels, int keepBytes) {
        int stride = width * channels;
        byte[] rows = new byte[height * (stride + 1)];
        for (int y = 0; y < height; y++) {
            int filter = y % 5;
            rows[y * (stride + 1)] = (byte) filter;
            for (int x = 0; x < stride; x++) {
                int left = x >= channels ? pixels[y * stride + x - channels] & 0xFF : 0;
                int up = y > 0 ? pixels[(y - 1) * stride + x] & 0xFF : 0;
                int upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels] & 0xFF : 0;
                int predictor = switch (filter) {
                    case 1 -> left;
                    case 2 -> up;
                    case 3 -> (left + up) / 2;
                    case 4 -> PngDecoder.paeth(left, up, upLeft); // the spec's formula; ImageIO's files check it too
                    default -> 0;
                };
                rows[y * (stride + 1) + 1 + x] = (byte) (pixels[y * stride + x] - predictor);
            }
        }
        return pngFromScanlines(width, height, channels, Arrays.copyOf(rows, Math.min(rows.length, keepBytes)));
    }

    private static byte[] pngFromScanlines(int width, int height, int channels, byte[] scanlines) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            DataOutputStream ihdr = new DataOutputStream(header);
            ihdr.writeInt(width);
            ihdr.writeInt(height);
            int colourType = new int[] {0, 0, 4, 2, 6}[channels];
            ihdr.write(new byte[] {8, (byte) colourType, 0, 0, 0});
            chunk(out, "IHDR", header.toByteArray());
            Deflater deflater = new Deflater();
            deflater.setInput(scanlines);
            deflater.finish();
            byte[] compressed = new byte[scanlines.length * 2 + 64];
            int length = deflater.deflate(compressed);
            deflater.end();
            chunk(out, "IDAT", Arrays.copyOf(compressed, length));
            chunk(out, "IEND", new byte[0]);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        out.writeInt((int) crc.getValue());
    }
}
