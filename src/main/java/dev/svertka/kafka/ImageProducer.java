package dev.svertka.kafka;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.svertka.image.EncodedImage;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.LabeledTopic;
import dev.svertka.card.InputShape;

/** Publishes image events (key = image id, value = image bytes, headers = content type and sizes). */
public final class ImageProducer implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public ImageProducer(String bootstrapServers, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer());
    }

    public Future<RecordMetadata> send(String key, byte[] image, Map<String, String> headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach((name, value) -> recordHeaders.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return producer.send(new ProducerRecord<>(topic, null, key, image, recordHeaders));
    }

    /** How {@link #send(String, LabeledImages, int, Encoding)} encodes an image. */
    public enum Encoding { PNG, RAW }

    /** Sends image {@code index} of {@code images} as a PNG, or as raw 8-bit pixels with size headers. */
    public Future<RecordMetadata> send(String key, LabeledImages images, int index, Encoding encoding) {
        return send(key, images, index, encoding, Map.of());
    }

    /** As {@link #send(String, LabeledImages, int, Encoding)}, with its class name in a {@code label} header: training data. */
    public Future<RecordMetadata> sendLabelled(String key, LabeledImages images, int index, Encoding encoding) {
        return send(key, images, index, encoding,
                Map.of(LabeledTopic.LABEL_HEADER, images.classNames().get(images.labels()[index])));
    }

    private Future<RecordMetadata> send(String key, LabeledImages images, int index, Encoding encoding,
                                        Map<String, String> extraHeaders) {
        InputShape shape = images.shape();
        Map<String, String> headers = new HashMap<>(extraHeaders);
        byte[] value = switch (encoding) {
            case PNG -> {
                headers.put(EncodedImage.CONTENT_TYPE_HEADER, "image/png");
                yield ImageEncoder.png(images, index);
            }
            case RAW -> {
                headers.putAll(Map.of(EncodedImage.CONTENT_TYPE_HEADER, ImageDecoder.RAW_PIXELS,
                        "width", String.valueOf(shape.width()),
                        "height", String.valueOf(shape.height()),
                        "channels", String.valueOf(shape.channels())));
                yield interleaved(shape, images.image(index));
            }
        };
        return send(key, value, headers);
    }

    /** Raw events carry pixels channel-interleaved (HWC), as most image libraries write them. */
    private static byte[] interleaved(InputShape shape, byte[] chw) {
        int plane = shape.height() * shape.width();
        byte[] hwc = new byte[chw.length];
        for (int c = 0; c < shape.channels(); c++) {
            for (int p = 0; p < plane; p++) {
                hwc[p * shape.channels() + c] = chw[c * plane + p];
            }
        }
        return hwc;
    }

    /** Waits until every record sent so far is acknowledged by the broker. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
