package dev.svertka.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.svertka.image.ImageDecodingException.Reason;

/**
 * Image events that must be refused, one of each common kind, with the reason the decoder gives.
 * The demo mixes them into its traffic to show where bad input goes.
 */
public final class BadImageSamples {

    /** One bad event: its id, payload, headers, and the reason it must be dead-lettered with. */
    public record Sample(String id, byte[] payload, Map<String, String> headers, Reason reason) {
    }

    private BadImageSamples() {
    }

    /** Bad events built around {@code goodPng}, a valid PNG to truncate. */
    public static List<Sample> all(byte[] goodPng, long seed) {
        byte[] noise = new byte[512];
        new Random(seed).nextBytes(noise);
        Map<String, String> png = Map.of("content-type", "image/png");
        return List.of(
                new Sample("bad-empty", new byte[0], png, Reason.EMPTY_PAYLOAD),
                new Sample("bad-random-bytes", noise, Map.of(), Reason.UNSUPPORTED_FORMAT),
                new Sample("bad-truncated-png", Arrays.copyOf(goodPng, goodPng.length / 2), png, Reason.CORRUPT_IMAGE),
                new Sample("bad-text", "this is not an image".getBytes(StandardCharsets.UTF_8),
                        Map.of("content-type", "text/plain"), Reason.UNSUPPORTED_FORMAT),
                new Sample("bad-raw-size", new byte[100], raw("28", "28", "1"), Reason.RAW_SIZE_MISMATCH),
                new Sample("bad-raw-zero", new byte[100], raw("0", "0", "1"), Reason.INVALID_DIMENSIONS),
                new Sample("bad-raw-no-size", new byte[784], Map.of("content-type", ImageDecoder.RAW_PIXELS),
                        Reason.MISSING_HEADER));
    }

    private static Map<String, String> raw(String width, String height, String channels) {
        return Map.of("content-type", ImageDecoder.RAW_PIXELS, "width", width, "height", height, "channels", channels);
    }
}
