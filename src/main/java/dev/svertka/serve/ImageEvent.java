package dev.svertka.serve;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import dev.svertka.data.ImageDecoder;
import dev.svertka.data.ImageDecodingException;

/**
 * One image to classify, whichever way it came (a Kafka record, an HTTP request).
 *
 * @param id          the image id the prediction reports
 * @param payload     encoded image or raw pixels
 * @param contentType what the payload is; null to sniff an image format
 * @param width       for raw pixels, the textual width (null when absent); likewise height and channels
 * @param receivedAt  epoch milliseconds the image entered the system (the record's timestamp)
 */
public record ImageEvent(String id, byte[] payload, String contentType, String width, String height, String channels,
                         long receivedAt) {

    /**
     * From a Kafka record in Svertka's own form or in CloudEvents binary mode: the content type is the
     * {@code content-type} header, else {@code ce_datacontenttype}; raw sizes come from {@code width},
     * {@code height}, {@code channels} or their CloudEvents extension forms ({@code ce_width}, ...); the
     * id is the key, else {@code ce_id}, else {@code fallbackId}.
     */
    public static ImageEvent fromRecord(String key, byte[] value, Headers headers, String fallbackId,
                                        long timestamp) {
        String id = key != null ? key : header(headers, CloudEvents.ID, fallbackId);
        return new ImageEvent(id, value,
                header(headers, "content-type", header(headers, CloudEvents.DATA_CONTENT_TYPE, null)),
                extension(headers, "width"), extension(headers, "height"), extension(headers, "channels"),
                timestamp);
    }

    /** Model input for {@code decoder}'s target shape. */
    public float[] decode(ImageDecoder decoder) throws ImageDecodingException {
        ImageDecoder.RawLayout raw = isRaw() ? ImageDecoder.RawLayout.parse(width, height, channels) : null;
        return decoder.decode(payload, contentType, raw);
    }

    private boolean isRaw() {
        return contentType != null && contentType.split(";", 2)[0].strip().equalsIgnoreCase(ImageDecoder.RAW_PIXELS);
    }

    private static String extension(Headers headers, String name) {
        return header(headers, name, header(headers, CloudEvents.PREFIX + name, null));
    }

    /** The last value of header {@code name} as text, or {@code otherwise}. */
    static String header(Headers headers, String name, String otherwise) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? otherwise
                : new String(header.value(), StandardCharsets.UTF_8);
    }
}
