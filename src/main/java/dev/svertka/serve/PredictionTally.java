package dev.svertka.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Accounts for a batch of sent images from what came out of the pipeline: each id should appear
 * exactly once, as a prediction or as a dead letter.
 *
 * @param reasons dead letters counted by their {@code reason} header
 */
public record PredictionTally(int expected, int predicted, int deadLettered, int duplicates, int missing,
                              int unexpected, int labelled, int correct, Map<String, Integer> reasons) {

    /**
     * @param outputs  records read from the predictions and dead-letter topics
     * @param expected sent id → true class index, or -1 when the image has no label (or is bad)
     */
    public static PredictionTally of(List<ConsumerRecord<String, byte[]>> outputs, String predictionsTopic,
                                     Map<String, Integer> expected, ObjectMapper json) throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        int predicted = 0;
        int deadLettered = 0;
        int unexpected = 0;
        int labelled = 0;
        int correct = 0;
        for (ConsumerRecord<String, byte[]> record : outputs) {
            String id = record.key();
            if (!expected.containsKey(id)) {
                unexpected++;
                continue;
            }
            if (seen.merge(id, 1, Integer::sum) > 1) {
                continue; // a redelivered duplicate: counted below, not scored twice
            }
            if (record.topic().equals(predictionsTopic)) {
                predicted++;
                int truth = expected.get(id);
                if (truth >= 0) {
                    labelled++;
                    Prediction prediction = json.readValue(record.value(), Prediction.class);
                    if (prediction.top().get(0).index() == truth) {
                        correct++;
                    }
                }
            } else {
                deadLettered++;
                Header reason = record.headers().lastHeader(ImageClassifierPipeline.REASON_HEADER);
                reasons.merge(reason == null ? "(none)" : new String(reason.value(), StandardCharsets.UTF_8), 1,
                        Integer::sum);
            }
        }
        int duplicates = seen.values().stream().mapToInt(n -> n - 1).sum();
        int missing = expected.size() - seen.size();
        return new PredictionTally(expected.size(), predicted, deadLettered, duplicates, missing, unexpected,
                labelled, correct, reasons);
    }

    /** Every sent id came out exactly once, and nothing else came out. */
    public boolean exactlyOnce() {
        return missing == 0 && duplicates == 0 && unexpected == 0;
    }

    public double accuracy() {
        return labelled == 0 ? Double.NaN : (double) correct / labelled;
    }
}
