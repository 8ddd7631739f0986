package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.svertka.card.InputRecipe;
import dev.svertka.train.event.TrainingListener;
import dev.svertka.train.event.ConsoleListener;
import dev.svertka.image.ImageDecoder;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.LabeledTopic;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.kafka.EmbeddedKafka;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.Topics;
import dev.svertka.registry.ModelRegistry;

/** Training from a labelled Kafka topic on a real (embedded) broker: events in, a model out, bad records counted. */
class TopicTrainingTest {

    private static final String TOPIC = "labelled-digits";
    private static final int IMAGES = 1200;

    private static EmbeddedKafka kafka;

    /** 1,200 digits, PNG and raw alternately, each with its label; then 6 bad records. */
    @BeforeAll
    static void publish() throws Exception {
        kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(Files.createTempDirectory("svertka-topic-training-")));
        Topics.ensure(kafka.clients(), Map.of(TOPIC, 2));
        LabeledImages digits = SyntheticDigits.generate(IMAGES, 3);
        try (ImageProducer producer = new ImageProducer(kafka.clients(), TOPIC)) {
            for (int i = 0; i < IMAGES; i++) {
                producer.sendLabelled("digit-" + i, digits, i,
                        i % 2 == 0 ? ImageProducer.Encoding.PNG : ImageProducer.Encoding.RAW);
            }
            for (int i = 0; i < 3; i++) {
                producer.send("unlabelled-" + i, digits, i, ImageProducer.Encoding.PNG); // no label header
            }
            byte[] notAPng = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
            producer.send("broken-1", notAPng, Map.of("content-type", "image/png", "label", "7"));
            producer.send("broken-2", notAPng, Map.of("label", "7"));
            producer.send("no-width", digits.image(0), Map.of("content-type", ImageDecoder.RAW_PIXELS, "height", "28",
                    "channels", "1", "label", "0"));
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aJobSpecTrainsFromTheTopicAndCountsWhatItSkipped(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        JobSpec job = JobSpec.parse("""
                {"model": "events", "data": "kafka:%s?timeout=60s", "epochs": 1, "batchSize": 32,
                 "validationSplit": 0.2, "stratified": true, "seed": 5, "runDir": "%s"}
                """.formatted(TOPIC, dir.resolve("run")));
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        // no bootstrap= in the data value: the job's default (the application's kafka.bootstrap.servers)
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        TrainingPipeline.Result result = new TrainingPipeline(new ConsoleListener(out), kafka.clients(),
                ZooModels.defaults(TrainingListener.NONE)).run(job, new ModelRegistry(dir.resolve("registry")));

        LabeledImages read = result.data().train();
        assertThat(read.size()).isEqualTo(IMAGES);
        assertThat(read.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(read.labels()).containsOnly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(result.data().description()).contains("read 1206 records (end of topic)",
                "skipped 6 (CORRUPT_IMAGE: 2, MISSING_HEADER: 1, no label: 3)", "1200 images 28x28 grey, 10 classes");
        String printed = log.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("Training seed-cnn on 960 images, validating on 240, testing on 240",
                "No test set: the validation images stand in for it");
        assertThat(result.history()).hasSize(1);
        assertThat(result.test().accuracy()).as("held-out accuracy, chance is 0.1").isGreaterThan(0.3);
        assertThat(result.version().card().dataset()).contains("Kafka topic " + TOPIC);
    }

    @Test
    void readingStopsAtMaxAndKeepsOnlyTheListedClasses() throws Exception {
        LabeledTopic.Source source = LabeledTopic.Source.parse("kafka:" + TOPIC + "?max=100&classes=0,1,2&bootstrap="
                + kafka.bootstrapServers(), "nowhere:1");
        long[] progress = new long[2];

        LabeledTopic.Loaded loaded = LabeledTopic.read(source, kafka.clients(), InputRecipe.of(SyntheticDigits.SHAPE),
                (read, target) -> {
                    progress[0] = read;
                    progress[1] = target;
                });

        assertThat(loaded.read()).isEqualTo(100);
        assertThat(loaded.stop()).isEqualTo("max reached");
        assertThat(progress).containsExactly(100, 100);
        assertThat(loaded.images().classNames()).containsExactly("0", "1", "2");
        assertThat(loaded.images().size()).isBetween(10, 50);
        // the bad records come last in each partition: only the labels outside 0-2 were skipped
        assertThat(loaded.skipped()).containsOnlyKeys("label not among the classes");
        assertThat(loaded.images().size() + loaded.skippedCount()).isEqualTo(100);
    }

    @Test
    void aMissingTopicOrUnusableDataIsAClearError() throws Exception {
        LabeledTopic.Source missing = LabeledTopic.Source.parse("kafka:no-such-topic?timeout=20s",
                kafka.bootstrapServers());
        assertThatThrownBy(() -> LabeledTopic.read(missing, kafka.clients(), InputRecipe.of(SyntheticDigits.SHAPE), LabeledTopic.Progress.NONE))
                .isInstanceOf(IOException.class).hasMessageContaining("no-such-topic")
                .hasMessageContaining("does not exist");

        LabeledTopic.Source unknownClasses = LabeledTopic.Source.parse("kafka:" + TOPIC + "?classes=cat,dog",
                kafka.bootstrapServers());
        assertThatThrownBy(() -> LabeledTopic.read(unknownClasses, kafka.clients(), InputRecipe.of(SyntheticDigits.SHAPE), LabeledTopic.Progress.NONE))
                .isInstanceOf(IOException.class).hasMessageContaining("No usable labelled images")
                .hasMessageContaining("label not among the classes: 1203");
    }

    @Test
    void theDataValueIsParsedWithDefaultsAndBadOnesAreRefused() throws Exception {
        LabeledTopic.Source plain = LabeledTopic.Source.parse("kafka:events", "broker:9092");
        assertThat(plain).isEqualTo(new LabeledTopic.Source("events", "broker:9092", 0, Duration.ofSeconds(60),
                java.util.List.of()));
        LabeledTopic.Source full = LabeledTopic.Source.parse("kafka:events?bootstrap=a:1,b:2&max=5000&timeout=500ms"
                + "&classes=cat,dog", "broker:9092");
        assertThat(full).isEqualTo(new LabeledTopic.Source("events", "a:1,b:2", 5000, Duration.ofMillis(500),
                java.util.List.of("cat", "dog")));
        assertThat(LabeledTopic.Source.parse("kafka:t?timeout=2m", "b:1").timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(LabeledTopic.Source.parse("kafka:t?timeout=45", "b:1").timeout()).isEqualTo(Duration.ofSeconds(45));

        assertThatThrownBy(() -> LabeledTopic.Source.parse("kafka:", "b:1")).hasMessageContaining("no topic");
        assertThatThrownBy(() -> LabeledTopic.Source.parse("kafka:t?limit=5", "b:1"))
                .hasMessageContaining("'limit=5' is not one of bootstrap=, max=, timeout=, classes=");
        assertThatThrownBy(() -> LabeledTopic.Source.parse("kafka:t?max=-1", "b:1"))
                .hasMessageContaining("max must be a positive whole number");
        assertThatThrownBy(() -> LabeledTopic.Source.parse("kafka:t?timeout=soon", "b:1"))
                .hasMessageContaining("timeout must be like 500ms, 30s, 5m or 1h");
        assertThatThrownBy(() -> LabeledTopic.Source.parse("kafka:t?classes=a,a", "b:1"))
                .hasMessageContaining("classes must be distinct");
    }
}
