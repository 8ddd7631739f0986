package dev.svertka.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.svertka.serve.ServeProcess;

/**
 * How many requests serve's Kafka clients made, from its {@code /q/metrics}: produce requests, fetches and commits,
 * summed over partitions and clients. Fewer, fuller requests cost the broker less per image.
 */
final class KafkaCounts {

    /** Prometheus counter names (without labels) → what they count. */
    private static final Map<String, String> COUNTERS = new LinkedHashMap<>();

    static {
        COUNTERS.put("kafka_producer_request_total", "produce requests");
        COUNTERS.put("kafka_consumer_fetch_manager_fetch_total", "fetches");
        COUNTERS.put("kafka_consumer_coordinator_commit_total", "commits");
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private KafkaCounts() {
    }

    static Map<String, Double> of(ServeProcess serve) throws IOException, InterruptedException {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + serve.port() + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> counts = new LinkedHashMap<>();
        for (String line : metrics.lines().toList()) {
            for (String name : COUNTERS.keySet()) {
                if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                    counts.merge(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
                }
            }
        }
        return counts;
    }

    static String perThousandSince(ServeProcess serve, Map<String, Double> before, int images)
            throws IOException, InterruptedException {
        Map<String, Double> now = of(serve);
        return List.copyOf(COUNTERS.keySet()).stream()
                .map(name -> String.format("%s %.2f", COUNTERS.get(name),
                        (now.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0)) * 1000 / images))
                .collect(Collectors.joining(", "));
    }
}
