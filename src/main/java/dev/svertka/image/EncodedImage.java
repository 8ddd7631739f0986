package dev.svertka.image;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * An image as it travels in an event: the payload (an encoded image or raw pixels), what it is, and for raw
 * pixels their size as the textual header values (null when absent), which the decoder checks. Read the same
 * way by the inference pipeline and by training from a topic, so both accept the same events.
 *
 * @param contentType what the payload is; null to sniff an image format
 */
public record EncodedImage(byte[] payload, String contentType, String width, String height, String channels) {

    public static final String CONTENT_TYPE_HEADER = "content-type";
    /** CloudEvents binary mode: attributes and extensions as {@code ce_*} headers. */
    public static final String CLOUD_EVENTS_PREFIX = "ce_";
    /** Some producers put the content type here instead of in {@code content-type}: accepted. */
    public static final String CLOUD_EVENTS_CONTENT_TYPE = CLOUD_EVENTS_PREFIX + "datacontenttype";

    /**
     * From a record's value and headers, in Svertka's own form or in CloudEvents binary mode: the content type
     * is the {@code content-type} header, else {@code ce_datacontenttype}; raw sizes come from {@code width},
     * {@code height}, {@code channels} or their CloudEvents extension forms ({@code ce_width}, ...).
     */
    public static EncodedImage of(byte[] value, Headers headers) {
        return new EncodedImage(value,
                header(headers, CONTENT_TYPE_HEADER, header(headers, CLOUD_EVENTS_CONTENT_TYPE, null)),
                extension(headers, "width"), extension(headers, "height"), extension(headers, "channels"));
    }

    /** Model input, as {@code decoder}'s recipe makes it. */
    public float[] decode(ImageDecoder decoder) throws ImageDecodingException {
        return decoder.decode(payload, contentType, rawLayout());
    }

    /** The heap decoding it will take (see {@link ImageDecoder#decodeBytes}). */
    public long decodeBytes(ImageDecoder decoder) throws ImageDecodingException {
        return decoder.decodeBytes(payload, contentType, rawLayout());
    }

    /** The picture at the input's size, not normalised (0..255): what a training set keeps. */
    public float[] pixels(ImageDecoder decoder) throws ImageDecodingException {
        return decoder.pixels(payload, contentType, rawLayout());
    }

    private ImageDecoder.RawLayout rawLayout() throws ImageDecodingException {
        return isRaw() ? ImageDecoder.RawLayout.parse(width, height, channels) : null;
    }

    private boolean isRaw() {
        return contentType != null && contentType.split(";", 2)[0].strip().equalsIgnoreCase(ImageDecoder.RAW_PIXELS);
    }

    /** The last value of header {@code name} as text, or {@code otherwise}. */
    public static String header(Headers headers, String name, String otherwise) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? otherwise
                : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String extension(Headers headers, String name) {
        return header(headers, name, header(headers, CLOUD_EVENTS_PREFIX + name, null));
    }
}
