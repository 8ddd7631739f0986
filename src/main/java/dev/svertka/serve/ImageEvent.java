package dev.svertka.serve;

import org.apache.kafka.common.header.Headers;

import dev.svertka.image.EncodedImage;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageDecodingException;

/**
 * One image to classify, whichever way it came (a Kafka record, an HTTP request).
 *
 * @param id         the image id the prediction reports
 * @param image      the payload and what it is
 * @param receivedAt epoch milliseconds the image entered the system (the record's timestamp)
 */
public record ImageEvent(String id, EncodedImage image, long receivedAt) {

    /**
     * From a Kafka record in Svertka's own form or in CloudEvents binary mode (see {@link EncodedImage#of}); the
     * id is the key, else {@code ce_id}, else {@code fallbackId}.
     */
    public static ImageEvent fromRecord(String key, byte[] value, Headers headers, String fallbackId,
                                        long timestamp) {
        String id = key != null ? key : EncodedImage.header(headers, CloudEvents.ID, fallbackId);
        return new ImageEvent(id, EncodedImage.of(value, headers), timestamp);
    }

    /** Model input for {@code decoder}'s target shape. */
    public float[] decode(ImageDecoder decoder) throws ImageDecodingException {
        return image.decode(decoder);
    }
}
