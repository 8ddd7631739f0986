package dev.svertka.serve;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import dev.svertka.serve.BatchClassifier.Outcome;
import dev.svertka.serve.BatchClassifier.Predicted;
import dev.svertka.serve.BatchClassifier.Refused;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;

/**
 * images → decode → ONNX Runtime → predictions, one poll's records at a time: a batch is what the
 * consumer fetched (up to {@code max-batch-size}), classified in one run, its predictions and dead letters
 * published together, and the batch acknowledged once the broker has all of them. So an input offset is
 * committed only after its prediction or dead letter is stored (at least once).
 *
 * <p>Batches run one after another on a worker thread, in fetch order, so predictions for one key (one
 * partition) keep their input order; the next batch is classified while the previous one's records are
 * still being acknowledged. A record that cannot be classified goes to the dead-letter topic with its
 * original key, bytes and headers, plus {@code reason}, {@code cause} and where it came from.
 */
@ApplicationScoped
public class ImageClassifierPipeline {

    public static final String IMAGES = "images";
    public static final String REASON_HEADER = "reason";
    public static final String CAUSE_HEADER = "cause";

    private static final Logger LOG = Logger.getLogger(ImageClassifierPipeline.class);

    @Inject
    BatchClassifier classifier;

    @Inject
    OutcomePublisher publisher;

    @Inject
    TopicsConfig topics;

    @Inject
    ServeConfig config;

    @Inject
    ServeMetrics metrics;

    private final ObjectWriter predictionJson;

    @Inject
    ImageClassifierPipeline(ObjectMapper json) {
        // Schubfach float formatting: the JDK's showed in the serving profile (every score is a float)
        predictionJson = json.writerFor(Prediction.class).with(StreamWriteFeature.USE_FAST_DOUBLE_WRITER);
    }

    @Incoming(IMAGES)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Uni<Void> classify(KafkaRecordBatch<String, byte[]> batch) {
        // decoding and inference are CPU work: keep them off the Kafka client's event loop
        return Uni.createFrom().item(() -> classifyAndPublish(batch))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    private Void classifyAndPublish(KafkaRecordBatch<String, byte[]> batch) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(batch.getRecords().size());
        records(batch).forEach(records::add);
        List<String> positions = records.stream().map(ImageClassifierPipeline::position).toList();
        List<ImageEvent> events = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, byte[]> record = records.get(i);
            events.add(ImageEvent.fromRecord(record.key(), record.value(), record.headers(), positions.get(i),
                    record.timestamp()));
        }
        // a batch waits for decode memory as long as it takes: its records are not going anywhere
        List<Outcome> outcomes = classifier.classify(events, null);
        if (!outcomes.isEmpty() && outcomes.get(0) instanceof Refused refused
                && refused.reason().equals(BatchClassifier.MODEL_UNAVAILABLE)) {
            // only while shutting down (the channel starts paused until a model is loaded): leave the batch
            // unacknowledged, so its offsets are not committed and another instance classifies it
            LOG.debugf("No model for a batch of %d images: left for redelivery", records.size());
            return null;
        }
        CloudEvents.Stamp stamp = CloudEvents.Stamp.of(config.eventSource(), Instant.now());
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(records.size());
        int predicted = 0;
        for (int i = 0; i < records.size(); i++) {
            if (outcomes.get(i) instanceof Predicted prediction) {
                out.add(toPrediction(records.get(i), positions.get(i), prediction.prediction(), stamp));
                predicted++;
            } else if (outcomes.get(i) instanceof Refused refused) {
                out.add(toDeadLetter(records.get(i), events.get(i).id(), refused));
            }
        }
        metrics.predicted("kafka", predicted);
        publisher.sendAll(out).whenComplete((sent, error) -> {
            if (error == null) {
                batch.ack();
            } else {
                // not stored: fail the channel rather than commit; the batch is redelivered after a restart
                LOG.errorf(error, "Could not publish the outcomes of %d images", records.size());
                batch.nack(error);
            }
        });
        return null;
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecords<String, byte[]> records(KafkaRecordBatch<String, byte[]> batch) {
        return batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .orElseThrow(() -> new IllegalStateException("the images channel delivers Kafka record batches"))
                .getRecords();
    }

    private ProducerRecord<String, byte[]> toPrediction(ConsumerRecord<String, byte[]> input, String position,
                                                       Prediction prediction, CloudEvents.Stamp stamp) {
        metrics.endToEnd(prediction.latencyMs());
        Headers headers = CloudEvents.predictionHeaders(input.headers(), prediction.id(), position, stamp);
        try {
            byte[] value = predictionJson.writeValueAsBytes(prediction);
            return new ProducerRecord<>(topics.predictions(), null, input.key(), value, headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Prediction is always serialisable", e);
        }
    }

    /** The input untouched (key, bytes, headers) plus why it was refused and where it came from. */
    private ProducerRecord<String, byte[]> toDeadLetter(ConsumerRecord<String, byte[]> input, String imageId,
                                                        Refused refused) {
        metrics.refused("kafka", refused.reason());
        Headers headers = new RecordHeaders();
        for (Header header : input.headers()) {
            headers.add(header);
        }
        String cause = String.valueOf(refused.cause().getMessage());
        CloudEvents.add(headers, REASON_HEADER, refused.reason());
        CloudEvents.add(headers, CAUSE_HEADER, cause);
        if (input.headers().lastHeader(CloudEvents.CORRELATION_ID) == null) {
            CloudEvents.add(headers, CloudEvents.CORRELATION_ID, CloudEvents.correlationId(input.headers(), imageId));
        }
        // the names SmallRye's dead-letter strategy uses, so tools written for it read these too
        CloudEvents.add(headers, "dead-letter-reason", cause);
        CloudEvents.add(headers, "dead-letter-cause-class-name", refused.cause().getClass().getName());
        CloudEvents.add(headers, "dead-letter-topic", input.topic());
        CloudEvents.add(headers, "dead-letter-partition", Integer.toString(input.partition()));
        CloudEvents.add(headers, "dead-letter-offset", Long.toString(input.offset()));
        return new ProducerRecord<>(topics.deadLetters(), null, input.key(), input.value(), headers);
    }

    private static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
