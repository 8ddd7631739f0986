package dev.svertka.serve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.onnxruntime.OrtException;
import dev.svertka.data.ImageDecoder;
import dev.svertka.data.ImageDecodingException;
import dev.svertka.model.InputShape;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * images → decode → batch → ONNX Runtime → predictions. A record that cannot be classified is
 * nacked, and the channel's dead-letter-queue strategy publishes its untouched bytes to the DLQ
 * topic with a {@code reason} header. Each prediction carries its input's acknowledgement, so an
 * input offset is committed only once its prediction (or dead letter) is acknowledged by the broker.
 */
@ApplicationScoped
public class ImageClassifierPipeline {

    public static final String IMAGES = "images";
    public static final String PREDICTIONS = "predictions";
    public static final String REASON_HEADER = "reason";

    private static final Logger LOG = Logger.getLogger(ImageClassifierPipeline.class);

    @Inject
    ModelHolder models;

    @Inject
    ServeConfig config;

    @Inject
    ObjectMapper json;

    private volatile ImageDecoder decoder;

    @Incoming(IMAGES)
    @Outgoing(PREDICTIONS)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Multi<Message<String>> classify(Multi<Message<byte[]>> images) {
        return images
                .group().intoLists().of(config.maxBatchSize(), config.maxBatchWait())
                // the timer emits a batch whether or not one was requested: when inference falls behind, queue
                // batches (the grouping already takes records without limit) instead of failing the stream
                .onOverflow().buffer()
                // decoding and inference are CPU work: keep them off the Kafka client's event loop
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToIterable(this::classifyBatch);
    }

    private List<Message<String>> classifyBatch(List<Message<byte[]>> batch) {
        try {
            Optional<List<Message<String>>> out = models.withModel(classifier -> classifyWith(classifier, batch));
            if (out.isEmpty()) {
                batch.forEach(m -> deadLetter(m, "MODEL_UNAVAILABLE", new IllegalStateException("no model loaded")));
                return List.of();
            }
            return out.get();
        } catch (OrtException | RuntimeException e) {
            LOG.errorf(e, "Inference failed for a batch of %d images", batch.size());
            batch.forEach(m -> deadLetter(m, "INFERENCE_FAILED", e));
            return List.of();
        }
    }

    private List<Message<String>> classifyWith(OnnxClassifier classifier, List<Message<byte[]>> batch)
            throws OrtException {
        InputShape shape = classifier.inputShape();
        ImageDecoder decoder = decoderFor(shape);
        float[] inputs = new float[batch.size() * shape.pixels()];
        List<Message<byte[]>> accepted = new ArrayList<>(batch.size());
        for (Message<byte[]> message : batch) {
            try {
                float[] image = decode(decoder, message);
                System.arraycopy(image, 0, inputs, accepted.size() * shape.pixels(), shape.pixels());
                accepted.add(message);
            } catch (ImageDecodingException e) {
                deadLetter(message, e.reason().name(), e);
            }
        }
        if (accepted.isEmpty()) {
            return List.of();
        }
        float[][] probabilities = classifier.classify(inputs, accepted.size());
        List<Message<String>> out = new ArrayList<>(accepted.size());
        for (int i = 0; i < accepted.size(); i++) {
            out.add(toPrediction(accepted.get(i), classifier, probabilities[i]));
        }
        return out;
    }

    private Message<String> toPrediction(Message<byte[]> input, OnnxClassifier classifier, float[] probabilities) {
        Optional<IncomingKafkaRecordMetadata> record = input.getMetadata(IncomingKafkaRecordMetadata.class);
        String key = record.map(r -> (String) r.getKey()).orElse(null);
        double latencyMs = record.map(r -> (System.currentTimeMillis() - r.getTimestamp().toEpochMilli()) * 1.0)
                .orElse(0.0);
        Prediction prediction = new Prediction(imageId(input, key), classifier.card().name(),
                classifier.card().version(), Prediction.topK(probabilities, classifier.card().labels(), config.topK()),
                latencyMs);
        try {
            // withPayload keeps the input's ack: the sink acks it once the broker has the prediction
            return input.withPayload(json.writeValueAsString(prediction))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Prediction is always serialisable", e);
        }
    }

    private static String imageId(Message<byte[]> input, String key) {
        if (key != null) {
            return key;
        }
        Headers headers = headers(input);
        String ceId = text(headers, "ce_id");
        if (ceId != null) {
            return ceId;
        }
        return input.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(r -> r.getTopic() + "-" + r.getPartition() + "@" + r.getOffset())
                .orElse("unknown");
    }

    private static void deadLetter(Message<byte[]> message, String reason, Throwable cause) {
        // keep the producer's headers (content type, sizes) beside the reason, to replay or inspect it
        Headers headers = new RecordHeaders(headers(message).toArray())
                .add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        message.nack(cause, Metadata.of(OutgoingKafkaRecordMetadata.builder().withHeaders(headers).build()));
    }

    private static float[] decode(ImageDecoder decoder, Message<byte[]> message) throws ImageDecodingException {
        Headers headers = headers(message);
        String contentType = text(headers, "content-type");
        ImageDecoder.RawLayout raw = ImageDecoder.RAW_PIXELS.equals(contentType)
                ? ImageDecoder.RawLayout.parse(text(headers, "width"), text(headers, "height"), text(headers, "channels"))
                : null;
        return decoder.decode(message.getPayload(), contentType, raw);
    }

    private ImageDecoder decoderFor(InputShape shape) {
        ImageDecoder current = decoder;
        if (current == null || !current.target().equals(shape)) {
            current = new ImageDecoder(shape, new ImageDecoder.Limits(config.maxPayloadBytes(), config.maxPixels()));
            decoder = current;
        }
        return current;
    }

    private static Headers headers(Message<?> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(IncomingKafkaRecordMetadata::getHeaders)
                .orElseGet(RecordHeaders::new);
    }

    private static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
