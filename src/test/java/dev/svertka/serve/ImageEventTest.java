package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.SyntheticDigits;

class ImageEventTest {

    private final ImageDecoder decoder = new ImageDecoder(SyntheticDigits.SHAPE);

    @Test
    void svertkaRecordsUseKeyContentTypeAndSizeHeaders() throws Exception {
        byte[] pixels = SyntheticDigits.generate(1, 3).image(0);
        ImageEvent event = ImageEvent.fromRecord("img-1", pixels, headers("content-type", ImageDecoder.RAW_PIXELS,
                "width", "28", "height", "28", "channels", "1", "ce_id", "ignored"), "images-0@5", 1000L);

        assertThat(event.id()).isEqualTo("img-1");
        assertThat(event.receivedAt()).isEqualTo(1000L);
        assertThat(event.decode(decoder)).hasSize(28 * 28);
    }

    @Test
    void cloudEventsBinaryModeIsAccepted() throws Exception {
        byte[] png = ImageEncoder.png(SyntheticDigits.generate(1, 3), 0);
        ImageEvent event = ImageEvent.fromRecord(null, png, headers("ce_specversion", "1.0", "ce_id", "evt-7",
                "ce_datacontenttype", "image/png"), "images-0@5", 0L);

        assertThat(event.id()).isEqualTo("evt-7");
        assertThat(event.image().contentType()).isEqualTo("image/png");
        assertThat(event.decode(decoder)).hasSize(28 * 28);

        ImageEvent raw = ImageEvent.fromRecord(null, new byte[784], headers("ce_datacontenttype",
                ImageDecoder.RAW_PIXELS, "ce_width", "28", "ce_height", "28", "ce_channels", "1"), "images-1@9", 0L);
        assertThat(raw.id()).as("no key, no ce_id: the record's position").isEqualTo("images-1@9");
        assertThat(raw.decode(decoder)).containsOnly(0f);
    }

    @Test
    void predictionHeadersAreCloudEventsWithAStableIdAndACorrelationId() {
        Instant time = Instant.parse("2026-01-02T03:04:05Z");
        Headers out = CloudEvents.predictionHeaders(headers("correlation-id", "req-1"), "img-1", "images-0@5",
                CloudEvents.Stamp.of("/svertka/inference", time));

        assertThat(text(out, "ce_specversion")).isEqualTo("1.0");
        assertThat(text(out, "ce_id")).isEqualTo("prediction:images-0@5");
        assertThat(text(out, "ce_type")).isEqualTo(CloudEvents.PREDICTION_TYPE);
        assertThat(text(out, "ce_source")).isEqualTo("/svertka/inference");
        assertThat(text(out, "ce_time")).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(text(out, "ce_subject")).isEqualTo("img-1");
        assertThat(text(out, "correlation-id")).isEqualTo("req-1");
        assertThat(CloudEvents.correlationId(headers("ce_id", "evt-7"), "img-1")).isEqualTo("evt-7");
        assertThat(CloudEvents.correlationId(new RecordHeaders(), "img-1")).isEqualTo("img-1");
    }

    private static Headers headers(String... namesAndValues) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static String text(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
