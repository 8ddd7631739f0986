package dev.svertka.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.svertka.image.EncodedImage;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.LabeledTopic;
import dev.svertka.card.InputShape;

/**
 * Publishes image events (key = image id, value = image bytes, headers = content type and sizes) and keeps count
 * of what the broker acknowledged: a send that cannot reach the broker fails within the timeout, it does not
 * wait for ever, and {@link #flush} says how many images were not delivered and why.
 */
public final class ImageProducer implements AutoCloseable {

    /** How long an image may take to reach the broker unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** What became of the images sent so far. */
    public record Delivery(long sent, long acknowledged, long failed, Exception firstFailure) {

        public boolean complete() {
            return failed == 0 && acknowledged == sent;
        }
    }

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private final Callback tally = (metadata, error) -> {
        if (error == null) {
            acknowledged.incrementAndGet();
        } else {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, error);
        }
    };

    public ImageProducer(KafkaClients kafka, String topic) {
        this(kafka, topic, DEFAULT_TIMEOUT);
    }

    /** {@code timeout}: how long one image may wait for the broker (metadata, then acknowledgement). */
    public ImageProducer(KafkaClients kafka, String topic, Duration timeout) {
        this.topic = topic;
        int millis = (int) Math.max(1000, timeout.toMillis());
        try {
            this.producer = new KafkaProducer<>(kafka.producer(Map.of(
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    // Kafka's default is 1 MB; photos are larger: whatever the topics take
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, millis,
                    // the delivery timeout must cover linger and one request
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis / 2,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis)),
                    new StringSerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new KafkaException("Cannot create a Kafka producer for " + kafka.bootstrap(), e);
        }
    }

    public Future<RecordMetadata> send(String key, byte[] image, Map<String, String> headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach((name, value) -> recordHeaders.add(name, value.getBytes(StandardCharsets.UTF_8)));
        sent.incrementAndGet();
        return producer.send(new ProducerRecord<>(topic, null, key, image, recordHeaders), tally);
    }

    /** Whether any image sent so far failed to reach the broker (a caller sending many stops at the first). */
    public boolean failing() {
        return firstFailure.get() != null;
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

    /** Waits until every record sent so far is acknowledged or has failed, and says which. */
    public Delivery flush() {
        producer.flush();
        return new Delivery(sent.get(), acknowledged.get(), failed.get(), firstFailure.get());
    }

    @Override
    public void close() {
        producer.close();
    }
}
