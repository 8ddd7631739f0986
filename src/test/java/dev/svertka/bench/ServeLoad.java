package dev.svertka.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.Topics;

/**
 * The load side of the serving benchmarks: sends image events (encoded before the clock starts: encoding is not the
 * pipeline's cost), as fast as the producer goes or paced, and reads every prediction back. Throughput is events
 * over first send to last prediction; latency is each prediction's {@code latencyMs} (the input record's timestamp,
 * set at send time, to the prediction), so it includes time queued in the producer, the broker and the pipeline.
 */
final class ServeLoad {

    /** What a burst measured. */
    record Result(int predicted, double seconds, double p50, double p99, double max) {

        double perSecond() {
            return predicted / seconds;
        }
    }

    /** Payloads sent in turn, all with the same headers. */
    record Events(List<byte[]> payloads, Map<String, String> headers) {
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final String brokers;
    private final String predictions;
    private final BenchReport report;

    ServeLoad(String brokers, String predictions, BenchReport report) {
        this.brokers = brokers;
        this.predictions = predictions;
        this.report = report;
    }

    /** Sends {@code count} events to {@code topic} ({@code rate} per second, or at once when 0) and waits for all. */
    Result burst(String name, String topic, Events events, int count, int rate) throws IOException {
        String prefix = UUID.randomUUID().toString().substring(0, 8) + "-";
        try (KafkaConsumer<String, byte[]> consumer = latestConsumer()) {
            long started = System.nanoTime();
            send(topic, prefix, events, count, rate);
            double[] latencies = new double[count];
            int seen = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (seen < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() != null && record.key().startsWith(prefix) && seen < count) {
                        latencies[seen++] = latencyMs(record.value());
                    }
                }
            }
            Result result = result(latencies, seen, (System.nanoTime() - started) / 1e9);
            report.line("%s: %d/%d predictions in %.1f s = %.1f images/s; latency p50 %.0f ms, p99 %.0f ms,"
                    + " max %.0f ms", name, seen, count, result.seconds(), result.perSecond(), result.p50(),
                    result.p99(), result.max());
            return result;
        }
    }

    /**
     * The broker and the load generator without the pipeline: {@code count} events sent to a topic nobody
     * processes, then read back by one consumer. The pipeline moves each image through Kafka twice (the image in,
     * its prediction out), so this is a ceiling on its throughput.
     */
    void kafkaAlone(String name, Events events, int count) throws IOException, Topics.KafkaSetupException {
        String topic = "bench-kafka-alone-" + UUID.randomUUID().toString().substring(0, 8);
        Topics.ensure(KafkaClients.at(brokers), Map.of(topic, 2));
        long started = System.nanoTime();
        send(topic, "alone-", events, count, 0);
        double sent = (System.nanoTime() - started) / 1e9;
        int read = 0;
        try (KafkaConsumer<String, byte[]> consumer = consumer(Map.of())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (read < count && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(100)).count();
            }
        }
        double total = (System.nanoTime() - started) / 1e9;
        report.line("Kafka alone (load generator + broker + one consumer, no pipeline), %s: %d sent in %.1f s ="
                + " %.0f/s; sent and read back in %.1f s = %.0f/s", name, count, sent, count / sent, total, read / total);
    }

    /**
     * The Python reference ({@code benchmarks/python_reference.py} with {@code options}) on its own topics, the same
     * events, when Debian's packages it imports are installed; said so and skipped otherwise.
     */
    void pythonReference(Events events, int count, String... options)
            throws IOException, InterruptedException, Topics.KafkaSetupException {
        // Debian's interpreter, where apt installs the packages (a pyenv python3 may come first on PATH)
        String interpreter = System.getProperty("bench.python", "/usr/bin/python3");
        Process probe = new ProcessBuilder(interpreter, "-c", "import torch, torchvision, confluent_kafka, PIL, numpy")
                .redirectErrorStream(true).start();
        if (probe.waitFor() != 0) {
            report.line("python reference: not run (apt-get install python3-confluent-kafka python3-torch"
                    + " python3-torchvision python3-pil)");
            return;
        }
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String in = "images-py-" + suffix;
        String out = "predictions-py-" + suffix;
        Topics.ensure(KafkaClients.at(brokers), Map.of(in, 2, out, 2));
        List<String> command = new ArrayList<>(List.of(interpreter, "benchmarks/python_reference.py",
                "--bootstrap", brokers, "--topic", in, "--output", out, "--count", String.valueOf(count)));
        command.addAll(Arrays.asList(options));
        Process python = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.sleep(8_000); // import torch, build the network, join the group
        send(in, "py-", events, count, 0);
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        python.waitFor();
        report.line("%s", output.substring(output.lastIndexOf('\n') + 1));
    }

    private void send(String topic, String prefix, Events events, int count, int rate) {
        List<byte[]> payloads = events.payloads();
        long started = System.nanoTime();
        int step = Math.max(1, rate / 100);
        try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topic)) {
            for (int i = 0; i < count; i++) {
                producer.send(prefix + i, payloads.get(i % payloads.size()), events.headers());
                if (rate > 0 && i % step == step - 1) {
                    pace(started, i + 1, rate);
                }
            }
            producer.flush();
        }
    }

    /**
     * A prediction's {@code latencyMs}, read by streaming past the rest: binding every prediction with its
     * probabilities would take CPU the pipeline under test needs (they share the machine).
     */
    private static double latencyMs(byte[] prediction) throws IOException {
        try (JsonParser parser = JSON.createParser(prediction)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME && parser.currentName().equals("latencyMs")) {
                    parser.nextToken();
                    return parser.getDoubleValue();
                }
            }
        }
        throw new IOException("a prediction without latencyMs: " + new String(prediction, StandardCharsets.UTF_8));
    }

    private KafkaConsumer<String, byte[]> latestConsumer() {
        KafkaConsumer<String, byte[]> consumer = consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));
        consumer.subscribe(List.of(predictions));
        // join and take the end offsets before anything is sent
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
        consumer.seekToEnd(consumer.assignment());
        consumer.assignment().forEach(consumer::position);
        return consumer;
    }

    private KafkaConsumer<String, byte[]> consumer(Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.GROUP_ID_CONFIG, "svertka-bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20));
        config.putAll(settings);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static Result result(double[] latencies, int seen, double seconds) {
        Arrays.sort(latencies, 0, seen);
        return new Result(seen, seconds, percentile(latencies, seen, 0.50), percentile(latencies, seen, 0.99),
                seen == 0 ? Double.NaN : latencies[seen - 1]);
    }

    private static void pace(long started, int sent, int rate) {
        long wait = started + (long) (sent * 1e9 / rate) - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static double percentile(double[] sorted, int n, double p) {
        return n == 0 ? Double.NaN : sorted[Math.min(n - 1, (int) Math.ceil(p * n) - 1)];
    }
}
