package dev.svertka.serve;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSON value published on the predictions topic for one image.
 *
 * @param id         the image id: the record key, else its CloudEvents id, else topic-partition@offset
 * @param model      model name
 * @param version    model version
 * @param top        the most probable classes, best first
 * @param latencyMs  from the input record's timestamp to this prediction
 */
public record Prediction(String id, String model, int version, List<Score> top, double latencyMs) {

    /** One class and its probability. */
    public record Score(String label, int index, float probability) {
    }

    /** The {@code k} most probable classes of {@code probabilities}, best first. */
    public static List<Score> topK(float[] probabilities, List<String> labels, int k) {
        int n = Math.min(k, probabilities.length);
        List<Score> top = new ArrayList<>(n);
        boolean[] taken = new boolean[probabilities.length];
        for (int rank = 0; rank < n; rank++) {
            int best = -1;
            for (int i = 0; i < probabilities.length; i++) {
                if (!taken[i] && (best < 0 || probabilities[i] > probabilities[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            top.add(new Score(labels.get(best), best, probabilities[best]));
        }
        return top;
    }
}
