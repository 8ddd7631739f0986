package dev.svertka.data;

import dev.svertka.image.EncodedImage;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageDecodingException;
import dev.svertka.image.Pixels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;
import dev.svertka.kafka.KafkaClients;

/**
 * Labelled images from a Kafka topic, to learn from events: each record's value is an image (PNG, JPEG, BMP, GIF
 * or raw pixels, with the headers the inference pipeline reads, see {@link EncodedImage}) and its {@code label}
 * header names its class. Images are decoded and resized as the pipeline does ({@link ImageDecoder}, its default
 * limits), so a model learns from exactly the pixels it will later be shown.
 *
 * <p>A plain consumer is assigned every partition and reads from the beginning, with no consumer group: a training
 * set is a snapshot of the topic, not a position to resume, so nothing is committed, a rerun reads the same records
 * and no group's offsets move. Reading stops at the first of: {@code max} records read, the end of every partition
 * as it was when reading began (later records wait for the next run), or {@code timeout}. Records without a label,
 * with a label outside an explicit class list, or whose image cannot be decoded are skipped and counted, never fatal.
 */
public final class LabeledTopic {

    public static final String SCHEME = "kafka:";
    public static final String LABEL_HEADER = "label";
    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    static final String NO_LABEL = "no label";
    static final String UNKNOWN_LABEL = "label not among the classes";
    /** Skipped records logged one by one; the rest only count (a topic may hold millions). */
    private static final int LOGGED_SKIPS = 10;
    private static final Logger LOG = Logger.getLogger(LabeledTopic.class);

    /**
     * Where and how much to read, written {@code kafka:TOPIC?bootstrap=HOST:PORT&max=N&timeout=30s&classes=a,b}
     * (every parameter optional).
     *
     * @param max     records to read at most (0: all there are)
     * @param classes the class names in label order; empty: the labels seen, sorted
     */
    public record Source(String topic, String bootstrap, long max, Duration timeout, List<String> classes) {

        private static final Set<String> PARAMETERS = Set.of("bootstrap", "max", "timeout", "classes");

        public Source {
            classes = List.copyOf(classes);
        }

        public static boolean matches(String spec) {
            return spec.startsWith(SCHEME);
        }

        /** Parses a {@code kafka:} data value; without {@code bootstrap=} the topic is read at {@code defaultBootstrap}. */
        public static Source parse(String spec, String defaultBootstrap) throws IOException {
            String rest = spec.substring(SCHEME.length());
            int query = rest.indexOf('?');
            String topic = query < 0 ? rest : rest.substring(0, query);
            if (topic.isBlank()) {
                throw invalid(spec, "no topic");
            }
            Map<String, String> values = new HashMap<>();
            if (query >= 0) {
                for (String pair : rest.substring(query + 1).split("&")) {
                    String[] nameValue = pair.split("=", 2);
                    if (nameValue.length != 2 || !PARAMETERS.contains(nameValue[0]) || nameValue[1].isBlank()) {
                        throw invalid(spec, "'" + pair + "' is not one of bootstrap=, max=, timeout=, classes=");
                    }
                    values.put(nameValue[0], nameValue[1].strip());
                }
            }
            List<String> classes = values.containsKey("classes")
                    ? Arrays.stream(values.get("classes").split(",")).map(String::strip).toList() : List.of();
            if (new LinkedHashSet<>(classes).size() != classes.size() || classes.contains("")) {
                throw invalid(spec, "classes must be distinct names");
            }
            return new Source(topic, values.getOrDefault("bootstrap", defaultBootstrap),
                    values.containsKey("max") ? count(spec, values.get("max")) : 0,
                    values.containsKey("timeout") ? duration(spec, values.get("timeout")) : DEFAULT_TIMEOUT, classes);
        }

        public Source withClasses(List<String> newClasses) {
            return new Source(topic, bootstrap, max, timeout, newClasses);
        }

        @Override
        public String toString() {
            return "Kafka topic " + topic + " at " + bootstrap;
        }

        private static long count(String spec, String value) throws IOException {
            long count = value.matches("\\d{1,18}") ? Long.parseLong(value) : 0;
            if (count < 1) {
                throw invalid(spec, "max must be a positive whole number, not '" + value + "'");
            }
            return count;
        }

        /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or plain seconds. */
        private static Duration duration(String spec, String value) throws IOException {
            String[] units = {"ms", "s", "m", "h"};
            try {
                for (String unit : units) {
                    if (value.endsWith(unit)) { // ms before s
                        long amount = Long.parseLong(value.substring(0, value.length() - unit.length()));
                        Duration d = switch (unit) {
                            case "ms" -> Duration.ofMillis(amount);
                            case "s" -> Duration.ofSeconds(amount);
                            case "m" -> Duration.ofMinutes(amount);
                            default -> Duration.ofHours(amount);
                        };
                        return positive(spec, d, value);
                    }
                }
                return positive(spec, Duration.ofSeconds(Long.parseLong(value)), value);
            } catch (NumberFormatException e) {
                throw invalid(spec, "timeout must be like 500ms, 30s, 5m or 1h, not '" + value + "'");
            }
        }

        private static Duration positive(String spec, Duration d, String value) throws IOException {
            if (d.isZero() || d.isNegative()) {
                throw invalid(spec, "timeout must be positive, not '" + value + "'");
            }
            return d;
        }

        private static IOException invalid(String spec, String why) {
            return new IOException("Invalid --data '" + spec + "': " + why + " (use kafka:TOPIC?bootstrap=HOST:PORT"
                    + "&max=N&timeout=30s&classes=a,b,c, every parameter optional)");
        }
    }

    /** Hears how reading goes: records read so far of the expected number (the smaller of max and what the topic held). */
    public interface Progress {
        Progress NONE = (read, target) -> {
        };

        void update(long read, long target);

        /** Reading has stopped, whether the target was reached or not. */
        default void done() {
        }
    }

    /**
     * What was read.
     *
     * @param read    records consumed, skipped ones included
     * @param skipped records skipped by reason ({@link #NO_LABEL}, {@link #UNKNOWN_LABEL}, or the decoder's
     *                {@link ImageDecodingException.Reason})
     * @param stop    why reading stopped
     */
    public record Loaded(LabeledImages images, long read, Map<String, Long> skipped, String stop) {

        public long skippedCount() {
            return skipped.values().stream().mapToLong(Long::longValue).sum();
        }

        public String description(Source source) {
            InputShape shape = images.shape();
            String skips = skipped.isEmpty() ? "none skipped" : "skipped " + skippedCount() + " (" + String.join(", ",
                    skipped.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList()) + ")";
            return String.format("%s: read %d records (%s), %s; %d images %dx%d %s, %d classes (%s)", source, read, stop,
                    skips, images.size(), shape.width(), shape.height(), shape.colourMode(), images.classes(),
                    String.join(", ", images.classNames()));
        }
    }

    private LabeledTopic() {
    }

    /**
     * Reads {@code source} as a client of {@code kafka} (its security settings; the address is the source's), each
     * image resized and cropped to the input as {@code recipe} says.
     */
    public static Loaded read(Source source, KafkaClients kafka, InputRecipe recipe, Progress progress)
            throws IOException {
        long deadline = System.nanoTime() + source.timeout().toNanos();
        Map<String, Object> config = kafka.withBootstrap(source.bootstrap()).consumer(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "svertka-training-reader",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // asking for a topic that is not there must not create it
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        Collected collected = new Collected(recipe, source.classes());
        String stop;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitions(consumer, source, deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, remaining(deadline));
            long held = partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
            long target = source.max() > 0 ? Math.min(source.max(), held) : held;
            progress.update(0, target);
            while (true) {
                if (source.max() > 0 && collected.read >= source.max()) {
                    stop = "max reached";
                    break;
                }
                if (partitions.stream().allMatch(p -> consumer.position(p, remaining(deadline)) >= end.get(p))) {
                    stop = "end of topic";
                    break;
                }
                if (System.nanoTime() >= deadline) {
                    stop = "timeout after " + source.timeout().toSeconds() + " s";
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    // a poll may return more than is left to read: the rest stays unread
                    if (source.max() > 0 && collected.read >= source.max()) {
                        break;
                    }
                    collected.add(record);
                }
                progress.update(collected.read, target);
            }
        } catch (KafkaException e) {
            throw new IOException("Could not read " + source + ": " + e.getMessage(), e);
        } finally {
            progress.done();
        }
        LabeledImages images = collected.images();
        Loaded loaded = new Loaded(images, collected.read, collected.skipped, stop);
        if (images.size() == 0) {
            throw new IOException("No usable labelled images in " + loaded.description(source));
        }
        return loaded;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, Source source, long deadline)
            throws IOException {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(source.topic(), remaining(deadline));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IOException("Kafka at " + source.bootstrap() + " did not answer within "
                    + source.timeout().toSeconds() + " s (reading topic " + source.topic() + ")", e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new IOException(source + " does not exist");
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    /** The images kept so far, by label text; class numbers are given at the end, when every label is known. */
    private static final class Collected {
        private final ImageDecoder decoder;
        private final List<String> classes;
        private final ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        private final List<String> labels = new ArrayList<>();
        private final Map<String, Long> skipped = new TreeMap<>();
        private long read;
        private long skippedCount;

        Collected(InputRecipe recipe, List<String> classes) {
            this.decoder = new ImageDecoder(recipe, ImageDecoder.Limits.DEFAULT);
            this.classes = classes;
        }

        void add(ConsumerRecord<byte[], byte[]> record) {
            read++;
            String label = EncodedImage.header(record.headers(), LABEL_HEADER, "").strip();
            if (label.isEmpty()) {
                skip(record, NO_LABEL, "no '" + LABEL_HEADER + "' header");
                return;
            }
            if (!classes.isEmpty() && !classes.contains(label)) {
                skip(record, UNKNOWN_LABEL, "label '" + label + "' is not one of " + classes);
                return;
            }
            try {
                pixels.writeBytes(Pixels.toBytes(EncodedImage.of(record.value(), record.headers()).pixels(decoder), 1f));
                labels.add(label);
            } catch (ImageDecodingException e) {
                skip(record, e.reason().name(), e.getMessage());
            }
        }

        private void skip(ConsumerRecord<?, ?> record, String reason, String detail) {
            skipped.merge(reason, 1L, Long::sum);
            String message = String.format("skipped %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    detail);
            if (++skippedCount <= LOGGED_SKIPS) {
                LOG.warn(message);
            } else {
                LOG.debug(message);
            }
        }

        LabeledImages images() {
            List<String> names = classes.isEmpty() ? List.copyOf(new TreeSet<>(labels)) : classes;
            int[] numbers = labels.stream().mapToInt(names::indexOf).toArray();
            return new LabeledImages(decoder.recipe(), pixels.toByteArray(), numbers, names);
        }
    }
}
