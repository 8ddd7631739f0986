package dev.svertka.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the console shows of an inference pod, read from its Prometheus text ({@code /q/metrics}, see ServeMetrics):
 * images predicted and refused so far (the page turns two readings into images/s), p99 end-to-end latency since
 * the pod started, dead letters by reason and the model version it serves.
 *
 * @param error why the pod could not be read (the other fields are then empty)
 */
public record PodMetrics(String pod, double predicted, double refused, Double p99Ms, Map<String, Double> deadLetters,
                         Double modelVersion, String error) {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+).*");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String LATENCY = "svertka_latency_end_to_end_seconds";

    static PodMetrics unreachable(String pod, String why) {
        return new PodMetrics(pod, 0, 0, null, Map.of(), null, why);
    }

    /** Reads {@code text}, the Prometheus exposition of a Svertka pod. */
    static PodMetrics parse(String pod, String text) {
        double predicted = 0;
        double refused = 0;
        Double version = null;
        Map<String, Double> deadLetters = new TreeMap<>();
        List<double[]> buckets = new ArrayList<>(); // upper bound in seconds, cumulative count
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.matches()) {
                continue;
            }
            Map<String, String> labels = labels(sample.group(2));
            double value = Double.parseDouble(sample.group(3));
            switch (sample.group(1)) {
                case "svertka_images_total" -> {
                    if ("predicted".equals(labels.get("outcome"))) {
                        predicted += value;
                    } else {
                        refused += value;
                    }
                }
                case "svertka_dead_letters_total" -> deadLetters.merge(labels.get("reason"), value, Double::sum);
                case "svertka_model_version" -> version = Double.isNaN(value) ? null : value;
                case LATENCY + "_bucket" -> buckets.add(new double[] {bound(labels.get("le")), value});
                default -> {
                    // a meter the console does not show
                }
            }
        }
        return new PodMetrics(pod, predicted, refused, p99Ms(buckets), deadLetters, version, null);
    }

    /** The upper bound of the bucket that holds the 99th percentile (histogram buckets are cumulative). */
    private static Double p99Ms(List<double[]> buckets) {
        buckets.sort((a, b) -> Double.compare(a[0], b[0]));
        double total = buckets.isEmpty() ? 0 : buckets.get(buckets.size() - 1)[1];
        for (double[] bucket : buckets) {
            if (total > 0 && bucket[1] >= 0.99 * total && !Double.isInfinite(bucket[0])) {
                return bucket[0] * 1000;
            }
        }
        return null;
    }

    private static double bound(String le) {
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new TreeMap<>();
        if (text != null) {
            Matcher label = LABEL.matcher(text);
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
        }
        return labels;
    }
}
