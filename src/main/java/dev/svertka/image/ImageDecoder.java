package dev.svertka.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import dev.svertka.image.ImageDecodingException.Reason;
import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;

/**
 * Turns a message payload (PNG, JPEG, BMP, GIF or raw pixels) into one model input: CHW floats of
 * the target shape, converted to grey (luma) or RGB, resized (antialiased) and cropped, then normalised, all
 * as the model's {@link InputRecipe} says. Every refusal is an {@link ImageDecodingException}, never an unchecked
 * exception, so that a consumer can dead-letter the message with its reason. Stateless and thread-safe.
 *
 * <p>Images with alpha are composited over black, MNIST's background. ImageIO warnings (which is how a
 * truncated JPEG shows) count as corruption: half an image is no input to classify.
 */
public final class ImageDecoder {

    /**
     * Content type of raw pixels: {@code width * height * channels} unsigned bytes, rows top to bottom,
     * channels interleaved (HWC, as numpy's and PIL's {@code tobytes()} give them), 1 channel (grey) or
     * 3 (RGB). The size travels beside the payload as a {@link RawLayout}.
     */
    public static final String RAW_PIXELS = "application/x-raw-pixels";

    /**
     * Peak heap a decode takes per pixel of the picture it holds: the decoded raster (up to 8 bytes for 16-bit
     * RGBA), its ARGB ints (4) and float planes (12), and the resampler's rows.
     */
    public static final int DECODE_BYTES_PER_PIXEL = 28;

    /**
     * Refusal thresholds: payload size, pixels (checked from the header, before decoding), and the heap one decode
     * may take: a larger picture is decoded subsampled (every 2nd, 3rd... pixel, as it is read) to fit, or refused
     * when that would leave fewer pixels than the model's input has.
     */
    public record Limits(int maxBytes, long maxPixels, long maxDecodeBytes) {

        /** 4 MiB payloads, 4096x4096 pixels, decoded whole. */
        public static final Limits DEFAULT = new Limits(4 << 20, 1L << 24);

        public Limits {
            if (maxBytes < 1 || maxPixels < 1 || maxDecodeBytes < 1) {
                throw new IllegalArgumentException("limits must be positive, got " + maxBytes + " bytes, "
                        + maxPixels + " pixels, " + maxDecodeBytes + " bytes to decode");
            }
        }

        /** Pictures up to {@code maxPixels} decoded whole. */
        public Limits(int maxBytes, long maxPixels) {
            this(maxBytes, maxPixels, maxPixels * DECODE_BYTES_PER_PIXEL);
        }
    }

    /** Size of a {@link #RAW_PIXELS} payload, which, unlike image formats, does not carry its own. */
    public record RawLayout(int width, int height, int channels) {

        /** From the textual values of message headers; a null value is a missing header. */
        public static RawLayout parse(String width, String height, String channels) throws ImageDecodingException {
            return new RawLayout(number("width", width), number("height", height), number("channels", channels));
        }

        private static int number(String name, String value) throws ImageDecodingException {
            if (value == null) {
                throw new ImageDecodingException(Reason.MISSING_HEADER, "raw pixels need a '" + name + "' header");
            }
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new ImageDecodingException(Reason.INVALID_DIMENSIONS,
                        "raw pixels '" + name + "' header is not a whole number: '" + value + "'");
            }
        }
    }

    /** Image formats known by their first bytes; the ImageIO format name, then the content types. */
    private enum Format {
        PNG("png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png"),
        JPEG("jpeg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, "image/jpeg", "image/jpg", "image/pjpeg"),
        BMP("bmp", new byte[] {'B', 'M'}, "image/bmp", "image/x-bmp", "image/x-ms-bmp"),
        GIF("gif", new byte[] {'G', 'I', 'F', '8'}, "image/gif");

        private final String imageIoName;
        private final byte[] magic;
        private final List<String> contentTypes;

        Format(String imageIoName, byte[] magic, String... contentTypes) {
            this.imageIoName = imageIoName;
            this.magic = magic;
            this.contentTypes = List.of(contentTypes);
        }

        boolean matches(byte[] payload) {
            return payload.length >= magic.length && Arrays.equals(payload, 0, magic.length, magic, 0, magic.length);
        }

        static Format sniff(byte[] payload) {
            return Arrays.stream(values()).filter(format -> format.matches(payload)).findFirst().orElse(null);
        }

        static Format forContentType(String type) {
            return Arrays.stream(values()).filter(format -> format.contentTypes.contains(type)).findFirst()
                    .orElse(null);
        }
    }

    /** Decoded pixels before fitting to the target: one (grey) or three (RGB) planes of 0..255 values. */
    record Planes(int width, int height, float[][] channels) {
    }

    private final InputRecipe recipe;
    private final Limits limits;

    /** Svertka's own recipe for {@code target}. */
    public ImageDecoder(InputShape target) {
        this(InputRecipe.of(target), Limits.DEFAULT);
    }

    public ImageDecoder(InputRecipe recipe, Limits limits) {
        this.recipe = recipe;
        this.limits = limits;
    }

    public InputRecipe recipe() {
        return recipe;
    }

    public Limits limits() {
        return limits;
    }

    /** An encoded image; {@code contentType} may be null (or application/octet-stream) to sniff the format. */
    public float[] decode(byte[] payload, String contentType) throws ImageDecodingException {
        return decode(payload, contentType, null);
    }

    /** As {@link #decode(byte[], String)}; {@code raw} is needed, and only read, for {@link #RAW_PIXELS}. */
    public float[] decode(byte[] payload, String contentType, RawLayout raw) throws ImageDecodingException {
        float[] input = pixels(payload, contentType, raw);
        recipe.normalise(input, 0);
        return input;
    }

    /** The picture resized and cropped as the recipe says, not yet normalised: CHW values 0..255 (RGB order). */
    public float[] pixels(byte[] payload, String contentType, RawLayout raw) throws ImageDecodingException {
        String type = checkedType(payload, contentType);
        Planes planes = type.equals(RAW_PIXELS) ? raw(payload, raw) : image(payload, format(payload, type));
        return fit(planes);
    }

    /**
     * The heap that decoding {@code payload} will take at most, from its header alone, so that a caller can wait
     * for that much before it starts (at most {@link Limits#maxDecodeBytes}). Refuses what decoding would refuse
     * for its size, type or header.
     */
    public long decodeBytes(byte[] payload, String contentType, RawLayout raw) throws ImageDecodingException {
        String type = checkedType(payload, contentType);
        if (type.equals(RAW_PIXELS)) {
            // the payload is the picture: float planes of it, and resampled copies
            return Math.min(limits.maxDecodeBytes(), 8L * payload.length + 4L * recipe.input().pixels());
        }
        Format format = format(payload, type);
        int[] size = switch (format) {
            case PNG -> HeaderSize.png(payload);
            case JPEG -> HeaderSize.jpeg(payload);
            case BMP -> HeaderSize.bmp(payload);
            case GIF -> HeaderSize.gif(payload);
        };
        if (size == null) {
            return limits.maxDecodeBytes(); // a header this cannot read: assume the most, decoding will tell
        }
        checkSize(size[0], size[1], format.toString());
        int step = subsampling(size[0], size[1], format.toString());
        return Math.min(limits.maxDecodeBytes(),
                (long) ceilDiv(size[0], step) * ceilDiv(size[1], step) * DECODE_BYTES_PER_PIXEL);
    }

    private String checkedType(byte[] payload, String contentType) throws ImageDecodingException {
        if (payload == null || payload.length == 0) {
            throw new ImageDecodingException(Reason.EMPTY_PAYLOAD, "the payload is empty");
        }
        if (payload.length > limits.maxBytes()) {
            throw new ImageDecodingException(Reason.PAYLOAD_TOO_LARGE, "the payload has " + payload.length
                    + " bytes, more than the " + limits.maxBytes() + " allowed");
        }
        return contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Every how many pixels a picture of this size is read so that its decode fits {@link Limits#maxDecodeBytes}:
     * 1 (whole) unless it is large. Refused when even the subsampled picture would not fit without getting smaller
     * than the model's input.
     */
    private int subsampling(int width, int height, String what) throws ImageDecodingException {
        InputShape target = recipe.input();
        int step = 1;
        while ((long) ceilDiv(width, step) * ceilDiv(height, step) * DECODE_BYTES_PER_PIXEL > limits.maxDecodeBytes()) {
            step++;
            if (ceilDiv(width, step) < target.width() || ceilDiv(height, step) < target.height()) {
                throw tooLargeToDecode(width, height, what);
            }
        }
        return step;
    }

    private ImageDecodingException tooLargeToDecode(int width, int height, String what) {
        InputShape target = recipe.input();
        return new ImageDecodingException(Reason.TOO_MANY_PIXELS, what + " of " + width + "x" + height + " needs more"
                + " than the " + (limits.maxDecodeBytes() >> 20) + " MiB one image may take to decode, even read"
                + " subsampled down to the model's " + target.width() + "x" + target.height());
    }

    private static int ceilDiv(int size, int step) {
        return (size + step - 1) / step;
    }

    private static Format format(byte[] payload, String type) throws ImageDecodingException {
        if (type.isEmpty() || type.equals("application/octet-stream")) {
            Format sniffed = Format.sniff(payload);
            if (sniffed == null) {
                throw new ImageDecodingException(Reason.UNSUPPORTED_FORMAT, "the payload is not PNG, JPEG, BMP or"
                        + " GIF (it starts " + HexFormat.ofDelimiter(" ").formatHex(payload, 0,
                        Math.min(8, payload.length)) + ") and has no content type saying what it is");
            }
            return sniffed;
        }
        Format declared = Format.forContentType(type);
        if (declared == null) {
            throw new ImageDecodingException(Reason.UNSUPPORTED_FORMAT, "content type '" + type + "' is not"
                    + " supported; send image/png, image/jpeg, image/bmp, image/gif or " + RAW_PIXELS);
        }
        if (!declared.matches(payload)) {
            throw new ImageDecodingException(Reason.CORRUPT_IMAGE, "content type is " + type
                    + " but the payload does not start like a " + declared + " file");
        }
        return declared;
    }

    private Planes raw(byte[] payload, RawLayout layout) throws ImageDecodingException {
        if (layout == null) {
            throw new ImageDecodingException(Reason.MISSING_HEADER,
                    RAW_PIXELS + " needs width, height and channels headers");
        }
        int width = layout.width();
        int height = layout.height();
        int channels = layout.channels();
        if (channels != 1 && channels != 3) {
            throw new ImageDecodingException(Reason.INVALID_DIMENSIONS,
                    "raw pixels must have 1 (grey) or 3 (RGB) channels, not " + channels);
        }
        checkSize(width, height, "raw pixels");
        long expected = (long) width * height * channels;
        if (payload.length != expected) {
            throw new ImageDecodingException(Reason.RAW_SIZE_MISMATCH, "raw pixels of " + width + "x" + height
                    + "x" + channels + " need " + expected + " bytes, the payload has " + payload.length);
        }
        float[][] planes = new float[channels][width * height];
        for (int c = 0; c < channels; c++) {
            float[] plane = planes[c];
            for (int i = 0, at = c; i < plane.length; i++, at += channels) {
                plane[i] = payload[at] & 0xFF;
            }
        }
        return new Planes(width, height, planes);
    }

    private Planes image(byte[] payload, Format format) throws ImageDecodingException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName);
        if (!readers.hasNext()) {
            throw new ImageDecodingException(Reason.UNSUPPORTED_FORMAT, "this JVM has no " + format + " reader");
        }
        if (format == Format.PNG) {
            // checks the header's size first (ImageIO would call a 0x0 IHDR an I/O error), then decodes the
            // common kinds itself; null leaves the rest to ImageIO
            Planes planes = PngDecoder.decode(payload, (width, height) -> {
                checkSize(width, height, "PNG");
                return subsampling(width, height, "PNG") == 1;
            });
            if (planes != null) {
                return planes;
            }
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        // In memory: ImageIO.createImageInputStream may cache to a temp file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(payload))) {
            reader.setInput(in, true, true);
            // Width and height come from the header alone: refuse bombs before allocating their pixels.
            checkSize(reader.getWidth(0), reader.getHeight(0), format.toString());
            int step = subsampling(reader.getWidth(0), reader.getHeight(0), format.toString());
            if (!reader.getImageTypes(0).hasNext()) {
                throw new ImageDecodingException(Reason.UNSUPPORTED_FORMAT,
                        "ImageIO cannot convert this " + format + "'s colour layout (e.g. a 2-channel JPEG);"
                                + " send RGB or grey");
            }
            ImageReadParam read = reader.getDefaultReadParam();
            // a large picture is read subsampled as it is decoded: its whole raster never exists
            read.setSourceSubsampling(step, step, 0, 0);
            BufferedImage image = reader.read(0, read);
            if (!warnings.isEmpty()) {
                throw new ImageDecodingException(Reason.CORRUPT_IMAGE, "damaged " + format + ": "
                        + String.join("; ", warnings));
            }
            return planes(image);
        } catch (IOException | RuntimeException e) {
            // ImageIO plugins answer bad input with all kinds of unchecked exceptions too.
            throw new ImageDecodingException(Reason.CORRUPT_IMAGE, "cannot decode " + format + ": " + e, e);
        } finally {
            reader.dispose();
        }
    }

    private void checkSize(int width, int height, String what) throws ImageDecodingException {
        if (width < 1 || height < 1) {
            throw new ImageDecodingException(Reason.INVALID_DIMENSIONS,
                    what + " size " + width + "x" + height + " is not positive");
        }
        if ((long) width * height > limits.maxPixels()) {
            throw new ImageDecodingException(Reason.TOO_MANY_PIXELS, what + " of " + width + "x" + height
                    + " has more than the " + limits.maxPixels() + " pixels allowed");
        }
    }

    private static Planes planes(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        if (model instanceof ComponentColorModel && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            return new Planes(width, height, new float[][] {grey(image.getRaster(), model)});
        }
        if (isByteRgb(model, image.getSampleModel())) {
            return new Planes(width, height, byteRgb(image.getRaster()));
        }
        // Palette, alpha, 16-bit RGB, other colour spaces: getRGB converts all of them to 8-bit sRGB.
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        float[][] rgb = new float[3][argb.length];
        for (int i = 0; i < argb.length; i++) {
            float alpha = (argb[i] >>> 24) / 255f;
            rgb[0][i] = (argb[i] >> 16 & 0xFF) * alpha;
            rgb[1][i] = (argb[i] >> 8 & 0xFF) * alpha;
            rgb[2][i] = (argb[i] & 0xFF) * alpha;
        }
        return new Planes(width, height, rgb);
    }

    /** 8-bit sRGB without alpha, interleaved: what ImageIO's JPEG reader gives for colour photos (3BYTE_BGR). */
    private static boolean isByteRgb(ColorModel model, SampleModel samples) {
        return model instanceof ComponentColorModel && model.getColorSpace().isCS_sRGB() && !model.hasAlpha()
                && model.getNumComponents() == 3 && model.getTransferType() == DataBuffer.TYPE_BYTE
                && samples instanceof PixelInterleavedSampleModel;
    }

    /**
     * The samples read straight from the raster's bytes: getRGB would convert each pixel through the colour model
     * to an ARGB int first, which takes longer than decoding the JPEG (the values are the same).
     */
    private static float[][] byteRgb(WritableRaster raster) {
        PixelInterleavedSampleModel samples = (PixelInterleavedSampleModel) raster.getSampleModel();
        DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
        byte[] bytes = buffer.getData();
        int[] bands = samples.getBandOffsets();
        int stride = samples.getPixelStride();
        int width = raster.getWidth();
        int height = raster.getHeight();
        float[][] rgb = new float[3][width * height];
        for (int y = 0; y < height; y++) {
            int row = buffer.getOffset() + (y - raster.getSampleModelTranslateY()) * samples.getScanlineStride()
                    - raster.getSampleModelTranslateX() * stride;
            for (int x = 0, i = y * width, at = row; x < width; x++, i++, at += stride) {
                rgb[0][i] = bytes[at + bands[0]] & 0xFF;
                rgb[1][i] = bytes[at + bands[1]] & 0xFF;
                rgb[2][i] = bytes[at + bands[2]] & 0xFF;
            }
        }
        return rgb;
    }

    /**
     * Grey samples read directly, rescaled from their bit depth to 0..255. getRGB would treat them as
     * linear light and brighten them with the sRGB curve, so a PNG's 128 would come back as 187.
     */
    private static float[] grey(Raster raster, ColorModel model) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        float[] grey = raster.getSamples(0, 0, width, height, 0, (float[]) null);
        float scale = 255f / ((1 << model.getComponentSize(0)) - 1);
        float[] alpha = model.hasAlpha() && !model.isAlphaPremultiplied()
                ? raster.getSamples(0, 0, width, height, 1, (float[]) null) : null;
        float alphaMax = alpha == null ? 0 : (1 << model.getComponentSize(1)) - 1;
        for (int i = 0; i < grey.length; i++) {
            grey[i] = alpha == null ? grey[i] * scale : grey[i] * scale * (alpha[i] / alphaMax);
        }
        return grey;
    }

    /** Converts channels, then resizes and crops as the recipe says into the target's CHW layout (0..255). */
    private float[] fit(Planes planes) {
        float[][] channels = planes.channels();
        InputShape target = recipe.input();
        if (target.channels() == 1 && channels.length == 3) {
            float[] luma = new float[channels[0].length];
            for (int i = 0; i < luma.length; i++) {
                luma[i] = 0.299f * channels[0][i] + 0.587f * channels[1][i] + 0.114f * channels[2][i];
            }
            channels = new float[][] {luma};
        } else if (target.channels() == 3 && channels.length == 1) {
            channels = new float[][] {channels[0], channels[0], channels[0]};
        }
        InputRecipe.Fit fit = recipe.fit(planes.width(), planes.height());
        int size = target.pixels() / target.channels();
        float[] out = new float[target.pixels()];
        if (planes.width() == fit.resizedWidth() && planes.height() == fit.resizedHeight()) {
            for (int c = 0; c < channels.length; c++) {
                for (int y = 0; y < target.height(); y++) {
                    System.arraycopy(channels[c], (fit.top() + y) * planes.width() + fit.left(), out,
                            c * size + y * target.width(), target.width());
                }
            }
            return out;
        }
        // only the crop is resized, with one set of filter taps for every channel
        Resampler.Plan plan = Resampler.plan(planes.width(), planes.height(), fit.resizedWidth(),
                fit.resizedHeight(), fit.left(), fit.top(), target.width(), target.height());
        for (int c = 0; c < channels.length; c++) {
            plan.apply(channels[c], out, c * size);
        }
        return out;
    }
}
