package dev.svertka.image;

/** A payload that cannot become a model input, with a {@link Reason} that machines can act on. */
public class ImageDecodingException extends Exception {

    /**
     * Why a payload was refused. The names travel as dead-letter "reason" headers, so they are part
     * of the wire contract: add new ones, never rename.
     */
    public enum Reason {
        EMPTY_PAYLOAD,
        PAYLOAD_TOO_LARGE,
        UNSUPPORTED_FORMAT,
        CORRUPT_IMAGE,
        INVALID_DIMENSIONS,
        TOO_MANY_PIXELS,
        RAW_SIZE_MISMATCH,
        MISSING_HEADER
    }

    private final Reason reason;

    public ImageDecodingException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ImageDecodingException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
