package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.EmbeddedKafka;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.kafka.Topics;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.JobSpec;
import dev.svertka.train.TrainingPipeline;

/**
 * The packaged inference app with the image's heap (-Xmx1g, exit on OutOfMemoryError) flooded at once from both
 * sides with the largest pictures its limits let in: 4096x4096 16-bit RGB PNGs, about 100 KB each but 100 MB of
 * samples decoded. Before decode memory was budgeted, 4 concurrent requests killed it. Every Kafka record must end
 * predicted (or dead-lettered), every HTTP request must be answered (200, or 503 with Retry-After), and the
 * process must live. Runs after {@code package}, in the integration-test phase.
 */
class MemoryFloodIT {

    private static final int HTTP_REQUESTS = 24;
    private static final int HTTP_CLIENTS = 8;
    private static final int RECORDS = 24;

    @TempDir
    Path work;

    @Test
    void theLargestAllowedImagesFromKafkaAndHttpAtOnceNeverExhaustTheHeap() throws Exception {
        byte[] png = largest16BitPng();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(work.resolve("kafka")))) {
            String brokers = kafka.bootstrapServers();
            Topics.ensure(KafkaClients.at(brokers), Map.of("images", 2, "predictions", 1, "images-dlq", 1));
            new TrainingPipeline(System.out).run(JobSpec.builder().data("synthetic:600").preset(SeedCnn.NAME)
                    .model("digits").epochs(1).batchSize(64).seed(5).runDir(work.resolve("run").toString()).build(),
                    new ModelRegistry(work.resolve("registry")));

            try (ServeProcess serve = ServeProcess.start(work.resolve("serve.log"),
                    List.of("-Xmx1g", "-XX:+ExitOnOutOfMemoryError"), "serve", "--model", "digits",
                    "--registry", work.resolve("registry").toString(), "--bootstrap-servers", brokers);
                    RecordCollector outputs = new RecordCollector(KafkaClients.at(brokers), List.of("predictions", "images-dlq"))) {
                serve.awaitServing();
                try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), "images")) {
                    for (int i = 0; i < RECORDS; i++) {
                        producer.send("flood-" + i, png, Map.of("content-type", "image/png"));
                    }
                    assertThat(producer.flush().complete()).isTrue();
                }
                List<HttpResponse<String>> answers;
                try {
                    answers = post(serve.port(), png);
                } catch (ExecutionException e) {
                    // without the budget: the connection drops as the process exits of OutOfMemoryError
                    String log = serve.log();
                    throw new AssertionError("a request got no answer; the end of the server's log:\n"
                            + log.substring(Math.max(0, log.length() - 3000)), e);
                }
                List<ConsumerRecord<String, byte[]>> results = outputs.until(records -> records.stream()
                        .map(ConsumerRecord::key).distinct().count() >= RECORDS, Duration.ofMinutes(5));

                String log = serve.log();
                System.out.printf("Memory flood: %d records out of Kafka; HTTP answers by status %s%n", results.size(),
                        answers.stream().collect(java.util.stream.Collectors.groupingBy(HttpResponse::statusCode,
                                java.util.stream.Collectors.counting())));
                assertThat(serve.process().isAlive()).as(log).isTrue();
                assertThat(log).doesNotContain("OutOfMemoryError");
                assertThat(results.stream().map(ConsumerRecord::key).distinct()).hasSize(RECORDS);
                assertThat(results).as("each record predicted: the picture is within every limit")
                        .allMatch(r -> r.topic().equals("predictions"));
                assertThat(answers).hasSize(HTTP_REQUESTS).allSatisfy(answer -> {
                    assertThat(answer.statusCode()).as(answer.body()).isIn(200, 503);
                    if (answer.statusCode() == 503) {
                        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
                        assertThat(answer.body()).contains("BUSY");
                    }
                });
                assertThat(answers).as("some requests got their turn").anyMatch(answer -> answer.statusCode() == 200);
            }
        }
    }

    /** {@link #HTTP_REQUESTS} concurrent {@code POST /predict}s of {@code png}, from {@link #HTTP_CLIENTS} threads. */
    private static List<HttpResponse<String>> post(int port, byte[] png) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ExecutorService clients = Executors.newFixedThreadPool(HTTP_CLIENTS);
        try {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < HTTP_REQUESTS; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/predict?id=h" + i))
                        .header("Content-Type", "image/png").timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build();
                sent.add(clients.submit(() -> http.send(request, HttpResponse.BodyHandlers.ofString())));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : sent) {
                answers.add(answer.get());
            }
            return answers;
        } finally {
            clients.shutdownNow();
        }
    }

    /** A 4096x4096 PNG of 16-bit RGB samples, a soft pattern so that it compresses to about 100 KB. */
    private static byte[] largest16BitPng() throws Exception {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(4096, 4096);
        int[] row = new int[4096 * 3];
        for (int y = 0; y < 4096; y++) {
            for (int x = 0; x < 4096; x++) {
                row[3 * x] = (x / 512) * 8192;
                row[3 * x + 1] = (y / 512) * 8192;
                row[3 * x + 2] = 30000;
            }
            raster.setPixels(0, y, 4096, 1, row);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        assertThat(ImageIO.write(new BufferedImage(model, raster, false, null), "png", png)).isTrue();
        return png.toByteArray();
    }
}
