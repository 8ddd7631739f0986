package dev.svertka.image;

import dev.svertka.card.InputRecipe;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.SyntheticDigits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import dev.svertka.image.ImageDecoder.Limits;
import dev.svertka.image.ImageDecoder.RawLayout;
import dev.svertka.image.ImageDecodingException.Reason;
import dev.svertka.card.InputShape;

class ImageDecoderTest {

    private static final InputShape GREY = new InputShape(1, 28, 28);
    private static final InputShape RGB = new InputShape(3, 28, 28);
    private static final LabeledImages DIGITS = SyntheticDigits.generate(3, 11);

    private final ImageDecoder grey = new ImageDecoder(GREY);

    @Test
    void pngRoundTripKeepsEveryPixel() throws Exception {
        byte[] image = DIGITS.image(0);

        float[] decoded = grey.decode(ImageEncoder.png(GREY, image), "image/png");

        assertThat(decoded).containsExactly(scaled(image));
    }

    @Test
    void formatIsSniffedWithoutAContentType() throws Exception {
        byte[] image = DIGITS.image(1);

        assertThat(grey.decode(ImageEncoder.png(GREY, image), null)).containsExactly(scaled(image));
        assertThat(grey.decode(ImageEncoder.png(GREY, image), "application/octet-stream"))
                .containsExactly(scaled(image));
    }

    @Test
    void contentTypeParametersAndCaseAreIgnored() throws Exception {
        byte[] image = DIGITS.image(2);

        assertThat(grey.decode(ImageEncoder.png(GREY, image), "Image/PNG; q=0.9")).containsExactly(scaled(image));
    }

    @Test
    void rgbPngRoundTripKeepsEveryPixelInChwOrder() throws Exception {
        byte[] chw = new byte[RGB.pixels()];
        new Random(3).nextBytes(chw);

        float[] decoded = new ImageDecoder(RGB).decode(ImageEncoder.png(RGB, chw), "image/png");

        assertThat(decoded).containsExactly(scaled(chw));
    }

    @Test
    void rawGreyRoundTripKeepsEveryPixel() throws Exception {
        byte[] image = DIGITS.image(0);

        float[] decoded = grey.decode(image, ImageDecoder.RAW_PIXELS, new RawLayout(28, 28, 1));

        assertThat(decoded).containsExactly(scaled(image));
    }

    @Test
    void rawRgbIsInterleavedAndBecomesChw() throws Exception {
        byte[] hwc = {10, 20, 30, 40, 50, 60}; // two pixels, RGB each
        ImageDecoder decoder = new ImageDecoder(new InputShape(3, 1, 2));

        float[] decoded = decoder.decode(hwc, ImageDecoder.RAW_PIXELS, new RawLayout(2, 1, 3));

        assertThat(decoded).containsExactly(scaled(new byte[] {10, 40, 20, 50, 30, 60}));
    }

    @Test
    void rawLayoutIsParsedFromHeaderValues() throws Exception {
        assertThat(RawLayout.parse("28", " 14 ", "3")).isEqualTo(new RawLayout(28, 14, 3));
    }

    @Test
    void jpegRoundTripIsClose() throws Exception {
        byte[] image = DIGITS.image(1);

        float[] decoded = grey.decode(encode(ImageEncoder.toImage(GREY, image), "jpeg"), "image/jpeg");

        float[] expected = scaled(image);
        double error = 0;
        for (int i = 0; i < expected.length; i++) {
            error += Math.abs(decoded[i] - expected[i]);
        }
        assertThat(error / expected.length).isLessThan(0.03);
    }

    @Test
    void bmpAndGifDecode() throws Exception {
        byte[] image = DIGITS.image(2);
        BufferedImage picture = ImageEncoder.toImage(GREY, image);

        assertThat(grey.decode(encode(picture, "bmp"), null)).containsExactly(scaled(image));
        assertThat(grey.decode(encode(picture, "gif"), "image/gif")).hasSize(GREY.pixels());
    }

    @Test
    void colourBecomesGreyByLuma() throws Exception {
        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        fill(picture, new Color(200, 100, 50));

        float[] decoded = grey.decode(encode(picture, "png"), "image/png");

        float luma = (0.299f * 200 + 0.587f * 100 + 0.114f * 50) * InputShape.PIXEL_SCALE;
        assertThat(decoded).usingComparatorWithPrecision(1e-5f).containsOnly(luma);
    }

    @Test
    void greyBecomesRgbByCopying() throws Exception {
        byte[] image = DIGITS.image(0);

        float[] decoded = new ImageDecoder(RGB).decode(ImageEncoder.png(GREY, image), "image/png");

        float[] plane = scaled(image);
        for (int c = 0; c < 3; c++) {
            assertThat(Arrays.copyOfRange(decoded, c * plane.length, (c + 1) * plane.length)).containsExactly(plane);
        }
    }

    @Test
    void sixteenBitGreyKeepsItsLevels() throws Exception {
        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = picture.getRaster();
        for (int x = 0; x < 28; x++) {
            for (int y = 0; y < 28; y++) {
                raster.setSample(x, y, 0, 128 * 257); // 50% grey; read as linear light it would brighten
            }
        }

        float[] decoded = grey.decode(encode(picture, "png"), "image/png");

        assertThat(decoded).usingComparatorWithPrecision(1e-5f).containsOnly(128 / 255f);
    }

    @Test
    void transparencyIsCompositedOverBlack() throws Exception {
        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
        fill(picture, new Color(255, 255, 255, 51)); // white at 20% opacity

        float[] decoded = grey.decode(encode(picture, "png"), "image/png");

        assertThat(decoded).usingComparatorWithPrecision(1e-3f).containsOnly(0.2f);
    }

    @Test
    void paletteImagesAreConverted() throws Exception {
        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_INDEXED);
        fill(picture, Color.WHITE);

        assertThat(grey.decode(encode(picture, "png"), null))
                .usingComparatorWithPrecision(1e-5f).containsOnly(1f);
    }

    @Test
    void resizesFiftySixToTwentyEight() throws Exception {
        BufferedImage picture = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = picture.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 28, 56); // left half white, right half black
        g.dispose();

        float[] decoded = grey.decode(encode(picture, "png"), "image/png");

        assertThat(decoded).hasSize(784);
        for (int y = 0; y < 28; y++) {
            assertThat(decoded[y * 28]).isCloseTo(1f, within(1e-5f));
            assertThat(decoded[y * 28 + 12]).isCloseTo(1f, within(1e-5f));
            assertThat(decoded[y * 28 + 13]).isStrictlyBetween(0.5f, 1f);
            assertThat(decoded[y * 28 + 14]).isStrictlyBetween(0f, 0.5f);
            assertThat(decoded[y * 28 + 27]).isCloseTo(0f, within(1e-5f));
        }
    }

    @Test
    void shrinkingAveragesInsteadOfSkippingPixels() throws Exception {
        BufferedImage lines = new BufferedImage(280, 280, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = lines.getRaster();
        for (int x = 0; x < 280; x += 10) { // a 1 px line every 10 px: 10% ink, which sampling would miss
            for (int y = 0; y < 280; y++) {
                raster.setSample(x, y, 0, 255);
            }
        }

        float[] decoded = grey.decode(encode(lines, "png"), "image/png");

        for (int y = 0; y < 28; y++) {
            for (int x = 1; x < 27; x++) { // the edge columns see only one line or half of one
                assertThat(decoded[y * 28 + x]).isCloseTo(0.1f, within(0.005f));
            }
        }
    }

    @Test
    void enlargesSmallImages() throws Exception {
        BufferedImage picture = new BufferedImage(7, 7, BufferedImage.TYPE_BYTE_GRAY);
        fill(picture, new Color(90, 90, 90));

        float[] decoded = grey.decode(encode(picture, "png"), "image/png");

        assertThat(decoded).hasSize(784).usingComparatorWithPrecision(1e-5f).containsOnly(90 / 255f);
    }

    @Test
    void emptyPayload() {
        assertReason(() -> grey.decode(new byte[0], "image/png"), Reason.EMPTY_PAYLOAD);
        assertReason(() -> grey.decode(null, null), Reason.EMPTY_PAYLOAD);
    }

    @Test
    void payloadTooLarge() {
        byte[] png = ImageEncoder.png(GREY, DIGITS.image(0));
        ImageDecoder strict = new ImageDecoder(InputRecipe.of(GREY), new Limits(png.length - 1, 1 << 20));

        assertReason(() -> strict.decode(png, "image/png"), Reason.PAYLOAD_TOO_LARGE);
    }

    @Test
    void randomBytesAreUnsupported() {
        byte[] noise = new byte[500];
        new Random(1).nextBytes(noise);
        noise[0] = 0x12; // not by chance a magic number

        assertReason(() -> grey.decode(noise, null), Reason.UNSUPPORTED_FORMAT);
    }

    @Test
    void unknownContentTypeIsUnsupported() {
        byte[] png = ImageEncoder.png(GREY, DIGITS.image(0));

        assertReason(() -> grey.decode(png, "image/webp"), Reason.UNSUPPORTED_FORMAT);
    }

    @Test
    void colourLayoutImageIoCannotConvertIsUnsupported() throws Exception {
        byte[] twoChannelJpeg = encodeRaster(Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 2, null));

        assertReason(() -> grey.decode(twoChannelJpeg, "image/jpeg"), Reason.UNSUPPORTED_FORMAT);
    }

    @Test
    void cmykJpegIsConvertedOrRefusedButNeverThrowsUnchecked() throws Exception {
        byte[] cmyk = encodeRaster(Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null));

        try {
            assertThat(grey.decode(cmyk, "image/jpeg")).hasSize(GREY.pixels());
        } catch (ImageDecodingException e) {
            assertThat(e.reason()).isIn(Reason.UNSUPPORTED_FORMAT, Reason.CORRUPT_IMAGE);
        }
    }

    @Test
    void contentTypeThatContradictsTheBytesIsCorrupt() throws Exception {
        byte[] jpeg = encode(ImageEncoder.toImage(GREY, DIGITS.image(0)), "jpeg");

        assertReason(() -> grey.decode(jpeg, "image/png"), Reason.CORRUPT_IMAGE);
    }

    @Test
    void truncatedPngIsCorrupt() {
        byte[] png = ImageEncoder.png(GREY, DIGITS.image(0));

        assertReason(() -> grey.decode(Arrays.copyOf(png, png.length / 2), "image/png"), Reason.CORRUPT_IMAGE);
        assertReason(() -> grey.decode(Arrays.copyOf(png, 12), null), Reason.CORRUPT_IMAGE);
    }

    @Test
    void truncatedJpegIsCorruptNotHalfDecoded() throws Exception {
        byte[] image = new byte[112 * 112];
        new Random(5).nextBytes(image); // noise: most of the file is scan data
        byte[] jpeg = encode(ImageEncoder.toImage(new InputShape(1, 112, 112), image), "jpeg");

        assertReason(() -> grey.decode(Arrays.copyOf(jpeg, jpeg.length * 2 / 3), "image/jpeg"), Reason.CORRUPT_IMAGE);
        assertReason(() -> grey.decode(Arrays.copyOf(jpeg, jpeg.length - 2), null), Reason.CORRUPT_IMAGE);
    }

    @Test
    void signatureFollowedByGarbageIsCorrupt() {
        byte[] fake = new byte[300];
        new Random(2).nextBytes(fake);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, 0, fake, 0, 8);

        assertReason(() -> grey.decode(fake, null), Reason.CORRUPT_IMAGE);
    }

    @Test
    void hugePngIsRefusedFromItsHeader() throws Exception {
        byte[] bomb = pngHeader(100_000, 100_000);

        assertReason(() -> grey.decode(bomb, "image/png"), Reason.TOO_MANY_PIXELS);
    }

    @Test
    void pixelLimitAppliesToOrdinaryImagesToo() {
        ImageDecoder strict = new ImageDecoder(InputRecipe.of(GREY), new Limits(1 << 20, 28 * 28 - 1));

        assertReason(() -> strict.decode(ImageEncoder.png(GREY, DIGITS.image(0)), null), Reason.TOO_MANY_PIXELS);
        assertReason(() -> strict.decode(DIGITS.image(0), ImageDecoder.RAW_PIXELS, new RawLayout(28, 28, 1)),
                Reason.TOO_MANY_PIXELS);
    }

    @Test
    void rawWithZeroSizeIsInvalid() {
        byte[] payload = {1, 2, 3};

        assertReason(() -> grey.decode(payload, ImageDecoder.RAW_PIXELS, new RawLayout(0, 3, 1)),
                Reason.INVALID_DIMENSIONS);
        assertReason(() -> grey.decode(payload, ImageDecoder.RAW_PIXELS, new RawLayout(3, 0, 1)),
                Reason.INVALID_DIMENSIONS);
        assertReason(() -> grey.decode(payload, ImageDecoder.RAW_PIXELS, new RawLayout(3, 1, 2)),
                Reason.INVALID_DIMENSIONS);
        assertReason(() -> RawLayout.parse("28", "twenty", "1"), Reason.INVALID_DIMENSIONS);
    }

    @Test
    void rawLengthMustMatchItsLayout() {
        assertReason(() -> grey.decode(new byte[783], ImageDecoder.RAW_PIXELS, new RawLayout(28, 28, 1)),
                Reason.RAW_SIZE_MISMATCH);
        assertReason(() -> grey.decode(new byte[784], ImageDecoder.RAW_PIXELS, new RawLayout(28, 28, 3)),
                Reason.RAW_SIZE_MISMATCH);
    }

    @Test
    void rawWithoutLayoutMissesAHeader() {
        assertReason(() -> grey.decode(new byte[784], ImageDecoder.RAW_PIXELS, null), Reason.MISSING_HEADER);
        assertReason(() -> RawLayout.parse("28", null, "1"), Reason.MISSING_HEADER);
    }

    @Test
    void damagedImagesNeverThrowUncheckedExceptions() throws Exception {
        BufferedImage picture = ImageEncoder.toImage(GREY, DIGITS.image(0));
        Random random = new Random(9);
        for (String format : new String[] {"png", "jpeg", "bmp", "gif"}) {
            byte[] original = encode(picture, format);
            for (int attempt = 0; attempt < 150; attempt++) {
                byte[] damaged = original.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                }
                if (random.nextBoolean()) {
                    damaged = Arrays.copyOf(damaged, 1 + random.nextInt(damaged.length));
                }
                try {
                    assertThat(grey.decode(damaged, null)).hasSize(GREY.pixels());
                } catch (ImageDecodingException e) {
                    assertThat(e.reason()).as(format + ": " + e.getMessage()).isIn(Reason.CORRUPT_IMAGE,
                            Reason.UNSUPPORTED_FORMAT, Reason.INVALID_DIMENSIONS, Reason.TOO_MANY_PIXELS);
                }
            }
        }
    }

    @Test
    void theDecodeCostComesFromTheHeaderOfEveryFormat() throws Exception {
        BufferedImage picture = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        fill(picture, Color.ORANGE);
        ImageDecoder decoder = new ImageDecoder(RGB);
        for (String format : new String[] {"png", "jpeg", "bmp", "gif"}) {
            assertThat(decoder.decodeBytes(encode(picture, format), null, null)).as(format)
                    .isEqualTo(37L * 23 * ImageDecoder.DECODE_BYTES_PER_PIXEL);
        }
        assertThat(decoder.decodeBytes(new byte[37 * 23 * 3], ImageDecoder.RAW_PIXELS, new RawLayout(37, 23, 3)))
                .as("at least its float planes").isGreaterThanOrEqualTo(4L * 37 * 23 * 3);
    }

    @Test
    void aPictureLargerThanOneDecodeMayTakeIsReadSubsampled() throws Exception {
        // a smooth 16-bit RGB picture: ImageIO's path, as the largest photos take
        int width = 1800;
        int height = 1200;
        BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                picture.setRGB(x, y, new Color(x * 255 / width, y * 255 / height, 128).getRGB());
            }
        }
        byte[] png = encode(to16Bit(picture), "png");
        InputRecipe recipe = InputRecipe.of(new InputShape(3, 64, 64));
        long whole = (long) width * height * ImageDecoder.DECODE_BYTES_PER_PIXEL;
        ImageDecoder capped = new ImageDecoder(recipe, new Limits(8 << 20, 1L << 24, whole / 8));

        assertThat(capped.decodeBytes(png, "image/png", null)).isLessThanOrEqualTo(whole / 8);
        float[] subsampled = capped.decode(png, "image/png");
        float[] full = new ImageDecoder(recipe, new Limits(8 << 20, 1L << 24)).decode(png, "image/png");
        double meanDiff = 0;
        for (int i = 0; i < full.length; i++) {
            meanDiff += Math.abs(full[i] - subsampled[i]) / full.length;
        }
        assertThat(meanDiff).as("mean |whole - subsampled| on a 0..1 scale").isLessThan(0.01);

        ImageDecoder tooSmall = new ImageDecoder(recipe, new Limits(8 << 20, 1L << 24, 64L * 64 * 28 - 1));
        assertReason(() -> tooSmall.decodeBytes(png, "image/png", null), Reason.TOO_MANY_PIXELS);
        assertReason(() -> tooSmall.decode(png, "image/png"), Reason.TOO_MANY_PIXELS);
    }

    @Test
    void colourJpegPixelsReadFromItsBytesAreTheOnesGetRgbGives() throws Exception {
        Random random = new Random(7);
        BufferedImage picture = new BufferedImage(301, 203, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < picture.getHeight(); y++) {
            for (int x = 0; x < picture.getWidth(); x++) {
                picture.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        byte[] jpeg = encode(picture, "jpeg");
        BufferedImage decoded = ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
        assertThat(decoded.getType()).as("what the fast path reads").isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
        // the same pixels through getRGB: a lossless PNG of the decoded JPEG, read as ImageIO's INT_RGB
        BufferedImage viaGetRgb = new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_RGB);
        viaGetRgb.setRGB(0, 0, decoded.getWidth(), decoded.getHeight(),
                decoded.getRGB(0, 0, decoded.getWidth(), decoded.getHeight(), null, 0, decoded.getWidth()), 0,
                decoded.getWidth());
        InputShape shape = new InputShape(3, 203, 301);
        ImageDecoder colour = new ImageDecoder(shape);

        assertThat(colour.decode(jpeg, "image/jpeg")).containsExactly(colour.decode(encode(viaGetRgb, "bmp"), null));
    }

    /** The same picture with 16 bits a sample. */
    private static BufferedImage to16Bit(BufferedImage picture) {
        java.awt.image.ComponentColorModel model = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB), false, false,
                java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(picture.getWidth(), picture.getHeight());
        for (int y = 0; y < picture.getHeight(); y++) {
            for (int x = 0; x < picture.getWidth(); x++) {
                int rgb = picture.getRGB(x, y);
                raster.setPixel(x, y, new int[] {(rgb >> 16 & 0xFF) * 257, (rgb >> 8 & 0xFF) * 257, (rgb & 0xFF) * 257});
            }
        }
        return new BufferedImage(model, raster, false, null);
    }

    @Test
    void reasonNamesAreAStableContract() {
        assertThat(Reason.values()).extracting(Reason::name).containsExactly("EMPTY_PAYLOAD", "PAYLOAD_TOO_LARGE",
                "UNSUPPORTED_FORMAT", "CORRUPT_IMAGE", "INVALID_DIMENSIONS", "TOO_MANY_PIXELS", "RAW_SIZE_MISMATCH",
                "MISSING_HEADER");
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new Limits(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Limits.DEFAULT).isEqualTo(new Limits(4 * 1024 * 1024, 4096L * 4096));
    }

    private static void assertReason(ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ImageDecodingException.class,
                e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason)).hasMessageNotContaining("null");
    }

    private static float[] scaled(byte[] bytes) {
        float[] values = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = (bytes[i] & 0xFF) * InputShape.PIXEL_SCALE;
        }
        return values;
    }

    private static void fill(BufferedImage picture, Color colour) {
        Graphics2D g = picture.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, picture.getWidth(), picture.getHeight());
        g.dispose();
    }

    private static byte[] encode(BufferedImage picture, String format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            assertThat(ImageIO.write(picture, format, out)).as("ImageIO writes " + format).isTrue();
        }
        return bytes.toByteArray();
    }

    /** A JPEG of a bare raster, which is how ImageIO writes channel counts other than grey and RGB. */
    private static byte[] encodeRaster(Raster raster) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(new IIOImage(raster, null, null));
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** A PNG signature and IHDR chunk (8-bit grey) with a valid CRC, claiming any size; no pixel data. */
    private static byte[] pngHeader(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream ihdr = new DataOutputStream(chunk);
        ihdr.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        ihdr.writeInt(width);
        ihdr.writeInt(height);
        ihdr.write(new byte[] {8, 0, 0, 0, 0}); // bit depth, colour type grey, compression, filter, interlace
        CRC32 crc = new CRC32();
        crc.update(chunk.toByteArray());
        out.writeInt(13);
        out.write(chunk.toByteArray());
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
