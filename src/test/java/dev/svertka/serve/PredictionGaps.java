package dev.svertka.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The longest pauses in a prediction stream, from the predictions' timestamps (when the pipeline published them):
 * across the whole stream, and per input partition (from {@code ce_id}, {@code prediction:TOPIC-PARTITION@OFFSET}),
 * where a partition handed from one instance to another shows its stall even while the others flow.
 */
record PredictionGaps(Duration longest, String longestPartition, Duration longestInPartition) {

    static PredictionGaps of(List<ConsumerRecord<String, byte[]>> outputs, String predictionsTopic) {
        List<ConsumerRecord<String, byte[]>> predictions = outputs.stream()
                .filter(r -> r.topic().equals(predictionsTopic)).toList();
        long longest = longestGap(predictions.stream().map(ConsumerRecord::timestamp).toList());
        Map<String, List<Long>> byPartition = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> prediction : predictions) {
            String id = ServeContractTest.header(prediction, CloudEvents.ID);
            String partition = id.substring(id.indexOf(':') + 1, id.lastIndexOf('@'));
            byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(prediction.timestamp());
        }
        Map<String, Long> gaps = new HashMap<>();
        byPartition.forEach((partition, times) -> gaps.put(partition, longestGap(times)));
        String worst = gaps.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("-");
        return new PredictionGaps(Duration.ofMillis(longest), worst, Duration.ofMillis(gaps.getOrDefault(worst, 0L)));
    }

    private static long longestGap(List<Long> timestamps) {
        List<Long> sorted = timestamps.stream().sorted().toList();
        long longest = 0;
        for (int i = 1; i < sorted.size(); i++) {
            longest = Math.max(longest, sorted.get(i) - sorted.get(i - 1));
        }
        return longest;
    }

    @Override
    public String toString() {
        return "longest gap " + longest.toMillis() + " ms, in one input partition " + longestInPartition.toMillis()
                + " ms (" + longestPartition + ")";
    }
}
