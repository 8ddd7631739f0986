package dev.svertka.serve;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import dev.svertka.image.EncodedImage;

/**
 * CloudEvents 1.0 in Kafka binary mode: attributes travel as {@code ce_*} headers, the data as the
 * record value, its type as {@code content-type}. Svertka reads them on images and writes them on
 * predictions.
 */
public final class CloudEvents {

    public static final String SPEC_VERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String TYPE = "ce_type";
    public static final String SOURCE = "ce_source";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    /** Ties a prediction (or dead letter) to the request it answers, across services. */
    public static final String CORRELATION_ID = "correlation-id";
    public static final String PREDICTION_TYPE = "dev.svertka.prediction.v1";

    private static final byte[] SPEC_VERSION_1_0 = bytes("1.0");
    private static final byte[] PREDICTION_TYPE_BYTES = bytes(PREDICTION_TYPE);
    private static final byte[] JSON = bytes("application/json");

    /**
     * What the predictions of one batch share: their source and time, encoded once (formatting a time
     * per record showed in the serving profile).
     */
    public record Stamp(byte[] source, byte[] time) {

        public static Stamp of(String source, Instant time) {
            return new Stamp(bytes(source), bytes(time.toString()));
        }
    }

    private CloudEvents() {
    }

    /**
     * Headers of the prediction answering the input whose headers are {@code input}. The event id is
     * derived from the input's position ({@code sourcePosition}), so a redelivered input yields a
     * prediction with the same {@code ce_id}: consumers can drop at-least-once duplicates by id.
     */
    public static Headers predictionHeaders(Headers input, String imageId, String sourcePosition, Stamp stamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(SPEC_VERSION, SPEC_VERSION_1_0);
        add(headers, ID, "prediction:" + sourcePosition);
        headers.add(TYPE, PREDICTION_TYPE_BYTES);
        headers.add(SOURCE, stamp.source());
        headers.add(TIME, stamp.time());
        add(headers, SUBJECT, imageId);
        headers.add("content-type", JSON);
        add(headers, CORRELATION_ID, correlationId(input, imageId));
        return headers;
    }

    /** The input's {@code correlation-id}, else its CloudEvents id, else the image id. */
    public static String correlationId(Headers input, String imageId) {
        return EncodedImage.header(input, CORRELATION_ID, EncodedImage.header(input, ID, imageId));
    }

    static void add(Headers headers, String name, String value) {
        headers.add(name, bytes(value));
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
