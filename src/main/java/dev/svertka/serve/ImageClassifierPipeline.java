package dev.svertka.serve;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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

import dev.svertka.serve.BatchClassifier.Outcome;
import dev.svertka.serve.BatchClassifier.Predicted;
import dev.svertka.serve.BatchClassifier.Refused;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * images → decode → batch → ONNX Runtime → predictions. A record that cannot be classified is
 * nacked, and the channel's dead-letter-queue strategy publishes its untouched bytes to the DLQ
 * topic with a {@code reason} header. Each prediction carries its input's acknowledgement, so an
 * input offset is committed only once its prediction (or dead letter) is acknowledged by the broker.
 *
 * <p>Each partition is a lane: its records are batched and classified in order, one batch at a time,
 * while the lanes of different partitions run side by side on worker threads. Records with the same
 * key share a partition, so predictions for one key keep their input order.
 */
@ApplicationScoped
public class ImageClassifierPipeline {

    public static final String IMAGES = "images";
    public static final String PREDICTIONS = "predictions";
    public static final String REASON_HEADER = "reason";
    public static final String CAUSE_HEADER = "cause";

    private static final Logger LOG = Logger.getLogger(ImageClassifierPipeline.class);

    @Inject
    BatchClassifier classifier;

    @Inject
    ServeConfig config;

    @Inject
    ServeMetrics metrics;

    @Inject
    ObjectMapper json;

    @Incoming(IMAGES)
    @Outgoing(PREDICTIONS)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Multi<Message<String>> classify(Multi<Message<byte[]>> images) {
        return images
                .group().by(ImageClassifierPipeline::partition)
                .onItem().transformToMultiAndMerge(lane -> lane
                        .group().intoLists().of(config.maxBatchSize(), config.maxBatchWait())
                        // time-based batching ignores demand: queue batches rather than fail the channel
                        .onOverflow().bufferUnconditionally()
                        // decoding and inference are CPU work: keep them off the Kafka client's event loop
                        .emitOn(Infrastructure.getDefaultWorkerPool())
                        .onItem().transformToIterable(this::classifyBatch));
    }

    private List<Message<String>> classifyBatch(List<Message<byte[]>> batch) {
        List<ImageEvent> events = batch.stream().map(ImageClassifierPipeline::event).toList();
        List<Outcome> outcomes = classifier.classify(events);
        List<Message<String>> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Message<byte[]> input = batch.get(i);
            if (outcomes.get(i) instanceof Predicted predicted) {
                out.add(toPrediction(input, predicted.prediction()));
            } else if (outcomes.get(i) instanceof Refused refused
                    && refused.reason().equals(BatchClassifier.MODEL_UNAVAILABLE)) {
                // only while shutting down (the channel starts paused until a model is loaded): leave the
                // record unacknowledged, so its offset is not committed and another instance classifies it
                LOG.debugf("No model for %s: left for redelivery", events.get(i).id());
            } else if (outcomes.get(i) instanceof Refused refused) {
                deadLetter(input, events.get(i).id(), refused);
            }
        }
        metrics.predicted("kafka", out.size());
        return out;
    }

    private static ImageEvent event(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> record = record(message);
        return ImageEvent.fromRecord((String) record.getKey(), message.getPayload(), record.getHeaders(),
                position(record), record.getTimestamp().toEpochMilli());
    }

    private Message<String> toPrediction(Message<byte[]> input, Prediction prediction) {
        IncomingKafkaRecordMetadata<?, ?> record = record(input);
        metrics.endToEnd(prediction.latencyMs());
        Headers headers = CloudEvents.predictionHeaders(record.getHeaders(), prediction.id(), position(record),
                config.eventSource(), Instant.now());
        try {
            // withPayload keeps the input's ack: the sink acks it once the broker has the prediction
            return input.withPayload(json.writeValueAsString(prediction))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                            .withKey((String) record.getKey()).withHeaders(headers).build());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Prediction is always serialisable", e);
        }
    }

    private void deadLetter(Message<byte[]> message, String imageId, Refused refused) {
        metrics.refused("kafka", refused.reason());
        Headers input = record(message).getHeaders();
        // the dead-letter strategy copies the input's headers (content type, sizes) and adds its own
        // dead-letter-* ones; these are added to them
        Headers headers = new RecordHeaders();
        CloudEvents.add(headers, REASON_HEADER, refused.reason());
        CloudEvents.add(headers, CAUSE_HEADER, String.valueOf(refused.cause().getMessage()));
        if (input.lastHeader(CloudEvents.CORRELATION_ID) == null) {
            CloudEvents.add(headers, CloudEvents.CORRELATION_ID, CloudEvents.correlationId(input, imageId));
        }
        message.nack(refused.cause(), Metadata.of(OutgoingKafkaRecordMetadata.builder().withHeaders(headers).build()));
    }

    private static int partition(Message<byte[]> message) {
        return record(message).getPartition();
    }

    private static String position(IncomingKafkaRecordMetadata<?, ?> record) {
        return record.getTopic() + "-" + record.getPartition() + "@" + record.getOffset();
    }

    private static IncomingKafkaRecordMetadata<?, ?> record(Message<?> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow(
                () -> new IllegalStateException("the images channel delivers Kafka records"));
    }
}
