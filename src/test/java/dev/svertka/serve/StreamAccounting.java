package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The fault tests' verdict on a stream of {@code count} good images keyed {@code prefix + i}. */
final class StreamAccounting {

    private StreamAccounting() {
    }

    /**
     * Every image came out as a prediction, nothing else came out, and each duplicate is the same
     * input record redelivered: it has the same {@code ce_id} (derived from the input's offset).
     */
    static PredictionTally assertEveryImagePredicted(String what, List<ConsumerRecord<String, byte[]>> outputs,
                                                     String predictionsTopic, String prefix, int count)
            throws IOException {
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < count; i++) {
            expected.put(prefix + i, -1);
        }
        PredictionTally tally = PredictionTally.of(outputs, predictionsTopic, expected, new ObjectMapper());
        System.out.printf("%s: %d images, %d predicted, %d dead-lettered %s, %d missing, %d duplicates"
                        + " (redelivered)%n", what, count, tally.predicted(), tally.deadLettered(), tally.reasons(),
                tally.missing(), tally.duplicates());
        assertThat(tally.missing()).isZero();
        assertThat(tally.unexpected()).isZero();
        assertThat(tally.predicted()).isEqualTo(count);
        Map<String, String> eventIds = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : outputs) {
            String ceId = ServeContractTest.header(record, CloudEvents.ID);
            assertThat(eventIds.putIfAbsent(record.key(), ceId)).as(record.key()).isIn(null, ceId);
        }
        return tally;
    }
}
