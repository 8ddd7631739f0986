package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.svertka.data.SyntheticDigits;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;

/** Zoo bases offline: where pretrained weights are looked for, what is said when they are not there, untrained nets. */
class ZooModelsTest {

    private static final String LENET_FILE = "lenet_dl4j_mnist_inference.zip";

    @TempDir
    Path cache;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

    @Test
    void pretrainedWeightsAreLookedForInDl4jsCacheLayout() throws Exception {
        ZooModels zoo = new ZooModels(cache, false, null, out);

        assertThat(zoo.weightsFile("zoo:LeNet")).isEqualTo(cache.resolve("models/lenet/" + LENET_FILE));
        assertThat(zoo.weightsFile("zoo:lenet?weights=mnist")).isEqualTo(cache.resolve("models/lenet/" + LENET_FILE));
        assertThat(zoo.weightsFile("zoo:VGG16")).isEqualTo(cache.resolve("models/vgg16/vgg16_dl4j_inference.zip"));
        assertThat(zoo.weightsFile("zoo:VGG16?weights=cifar10").getFileName().toString()).contains("cifar");
    }

    @Test
    void missingWeightsOfflineSayWhichFileToPlaceWhere() {
        ZooModels zoo = new ZooModels(cache, false, null, out);

        assertThatThrownBy(() -> zoo.load("zoo:LeNet", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("not in the cache and downloads are off")
                .hasMessageContaining("place " + LENET_FILE + " (from https://")
                .hasMessageContaining(" at " + cache.resolve("models/lenet/" + LENET_FILE));
    }

    @Test
    void aFailedDownloadLeavesNothingInTheCacheAndSaysWhereToPutTheFile() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        mirror.createContext("/models/", exchange -> {
            requests.incrementAndGet();
            byte[] junk = "not a model".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, junk.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(junk);
            }
        });
        mirror.start();
        try {
            String url = "http://127.0.0.1:" + mirror.getAddress().getPort() + "/";
            ZooModels zoo = new ZooModels(cache, true, url, out);

            assertThatThrownBy(() -> zoo.load("zoo:LeNet", SyntheticDigits.SHAPE, 10, 1))
                    .hasMessageContaining("could not be downloaded")
                    .hasMessageContaining("Adler-32 checksum")
                    .hasMessageContaining("place " + LENET_FILE + " (from " + url + "models/" + LENET_FILE + ")");
            assertThat(requests).hasValue(1);
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("Downloading " + url + "models/" + LENET_FILE);
            try (var files = Files.list(cache.resolve("models/lenet"))) {
                assertThat(files).as("no partial file kept").isEmpty();
            }
        } finally {
            mirror.stop(0);
        }
    }

    @Test
    void aCachedFileThatIsNotTheZoosIsReportedAndKept() throws Exception {
        ZooModels zoo = new ZooModels(cache, true, "http://127.0.0.1:9/", out);
        Path cached = zoo.weightsFile("zoo:LeNet");
        Files.createDirectories(cached.getParent());
        Files.writeString(cached, "someone else's file");

        assertThatThrownBy(() -> zoo.load("zoo:LeNet", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("cached pretrained weights " + cached + " are not the zoo's")
                .hasMessageContaining("expected 1906861161");
        assertThat(cached).hasContent("someone else's file");
    }

    @Test
    void badReferencesAreClearErrors() {
        ZooModels zoo = new ZooModels(cache, false, null, out);

        assertThatThrownBy(() -> zoo.load("zoo:LeNot", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("no zoo model 'LeNot'").hasMessageContaining("lenet, nasnet");
        assertThatThrownBy(() -> zoo.load("zoo:LeNet?weights=imagenet", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("no imagenet weights for zoo:LeNet?weights=imagenet; it has: mnist");
        assertThatThrownBy(() -> zoo.load("zoo:LeNet?pretrained=no", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("unknown option 'pretrained=no'");
        assertThatThrownBy(() -> zoo.load("zoo:SimpleCNN", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("no pretrained weights for zoo:SimpleCNN")
                .hasMessageContaining("zoo:simplecnn?weights=none");
        assertThatThrownBy(() -> zoo.load("zoo:ResNet50?weights=none", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("it is a ComputationGraph");
        assertThatThrownBy(() -> new BaseModels(zoo).load("zoo:SimpleCNN?weights=none", SyntheticDigits.SHAPE, 10, 1,
                new ModelRegistry(cache))).hasMessageContaining("not in an output layer");
    }

    @Test
    void anUntrainedLeNetBuiltForTheDataFineTunesWithANewHeadAndPublishes(@TempDir Path registry) throws Exception {
        // LeNet's dense layer has 1.2 M weights: 400 training images keep the test short
        TrainingJob.Spec spec = new TrainingJob.Spec("synthetic:1200", SeedCnn.NAME, "lenet", 1, 32, 0.1, 6, 400)
                .withTraining(null, Optimizer.parse("adam:0.001", "constant"), 0, null, null)
                .withBase("zoo:LeNet?weights=none", null, 0);

        TrainingJob.Result result = new TrainingJob(out, new ZooModels(cache, false, null, out))
                .run(spec, new ModelRegistry(registry));

        assertThat(result.network().getnLayers()).isEqualTo(6);
        assertThat(result.network().getLayerWiseConfigurations().getInputPreProcess(0)).as("takes maps").isNull();
        assertThat(result.test().accuracy()).as("better than chance").isGreaterThan(0.2);
        assertThat(result.parity().argmaxMismatches()).isZero();
        assertThat(result.version().card().preset()).isEqualTo("fine-tuned from zoo:LeNet?weights=none");
    }
}
