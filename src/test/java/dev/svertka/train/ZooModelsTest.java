package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.model.LeNet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import com.sun.net.httpserver.HttpServer;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.train.event.ConsoleListener;
import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;
import dev.svertka.card.Preprocessing;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.LabeledTopic;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;

/** Zoo bases offline: where pretrained weights are looked for, what is said when they are not there, untrained nets. */
class ZooModelsTest {

    private static final String LENET_FILE = "lenet_dl4j_mnist_inference.zip";
    private static final long LENET_CHECKSUM = 1906861161L;

    @TempDir
    Path cache;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

    @Test
    void pretrainedWeightsAreLookedForInDl4jsCacheLayout() throws Exception {
        ZooModels zoo = new ZooModels(cache, false, null, new ConsoleListener(out));

        assertThat(zoo.weightsFile("zoo:LeNet")).isEqualTo(cache.resolve("models/lenet/" + LENET_FILE));
        assertThat(zoo.weightsFile("zoo:lenet?weights=mnist")).isEqualTo(cache.resolve("models/lenet/" + LENET_FILE));
        assertThat(zoo.weightsFile("zoo:VGG16")).isEqualTo(cache.resolve("models/vgg16/vgg16_dl4j_inference.zip"));
        assertThat(zoo.weightsFile("zoo:VGG16?weights=cifar10").getFileName().toString()).contains("cifar");
    }

    @Test
    void missingWeightsOfflineSayWhichFileToPlaceWhere() {
        ZooModels zoo = new ZooModels(cache, false, null, new ConsoleListener(out));

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
            ZooModels zoo = new ZooModels(cache, true, url, new ConsoleListener(out));

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
        ZooModels zoo = new ZooModels(cache, true, "http://127.0.0.1:9/", new ConsoleListener(out));
        Path cached = zoo.weightsFile("zoo:LeNet");
        Files.createDirectories(cached.getParent());
        Files.writeString(cached, "someone else's file");

        assertThatThrownBy(() -> zoo.load("zoo:LeNet", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("cached pretrained weights " + cached + " are not the zoo's")
                .hasMessageContaining("expected " + LENET_CHECKSUM);
        assertThat(cached).hasContent("someone else's file");
    }

    @Test
    void weightsDownloadedFromAMirrorAreCheckedByTheRealSha256OfTheServedFile() throws Exception {
        // The zoo's own file cannot be fetched offline: a LeNet checkpoint is served in its place, and the base
        // pins it by the SHA-256 of the bytes served, so the check is a real one (a wrong pin is refused)
        MultiLayerNetwork stand = (MultiLayerNetwork) LeNet.builder().numClasses(10).seed(3).build().init();
        Path served = cache.resolveSibling(cache.getFileName() + "-served.zip");
        ModelSerializer.writeModel(stand, served.toFile(), false);
        byte[] bytes = Files.readAllBytes(served);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        HttpServer mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        mirror.createContext("/models/", exchange -> {
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(bytes);
            }
        });
        mirror.start();
        try {
            ZooModels zoo = new ZooModels(cache, true, "http://127.0.0.1:" + mirror.getAddress().getPort() + "/",
                    new ConsoleListener(out));
            String wrong = sha256.substring(1) + (sha256.charAt(0) == '0' ? "1" : "0");

            assertThatThrownBy(() -> zoo.load("zoo:LeNet?weights=mnist&sha256=" + wrong, SyntheticDigits.SHAPE, 10,
                    1)).hasMessageContaining("could not be downloaded").hasMessageContaining("SHA-256");
            assertThat(zoo.weightsFile("zoo:LeNet")).as("nothing kept from a refused download").doesNotExist();

            ComputationGraph downloaded = zoo.load("zoo:LeNet?weights=mnist&sha256=" + sha256, SyntheticDigits.SHAPE,
                    10, 1);

            assertThat(downloaded.params()).isEqualTo(stand.params());
            assertThat(zoo.weightsFile("zoo:LeNet")).hasBinaryContent(bytes);
        } finally {
            mirror.stop(0);
        }
    }

    @Test
    void cachedPretrainedWeightsAreLoadedAndFineTunedWithFrozenFeatures() throws Exception {
        // A LeNet checkpoint stands in for the zoo's file, pinned by its real SHA-256 (the zoo's Adler-32 is not it)
        MultiLayerNetwork stand = (MultiLayerNetwork) LeNet.builder().numClasses(10).seed(3).build().init();
        ZooModels zoo = new ZooModels(cache, false, null, new ConsoleListener(out));
        Path cached = zoo.weightsFile("zoo:LeNet");
        Files.createDirectories(cached.getParent());
        ModelSerializer.writeModel(stand, cached.toFile(), false);
        String pin = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(cached)));

        ComputationGraph pretrained = zoo.load("zoo:LeNet?weights=mnist&sha256=" + pin, SyntheticDigits.SHAPE, 5, 1);

        assertThat(pretrained.params()).as("the cached weights").isEqualTo(stand.params());
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Pretrained weights: " + cached);
        // the new head reads the dense layer's features: only LeNet's output layer is replaced
        ComputationGraph tuned = FineTuning.prepare(pretrained, SyntheticDigits.SHAPE, 5, "maxpool2", "ffn1",
                new Adam(1e-3), 1);
        Map<String, INDArray> before = new HashMap<>();
        tuned.paramTable().forEach((name, value) -> before.put(name, value.dup()));
        LabeledImages newClasses = SyntheticDigits.generate(400, 7).classRange(5, 10, 20);
        new Trainer(new ConsoleListener(out)).fit(tuned, newClasses, null, new Trainer.Options(1, 20, 1));
        assertThat(tuned.paramTable().get("cnn1_W")).as("frozen").isEqualTo(before.get("cnn1_W"));
        assertThat(tuned.paramTable().get("cnn2_W")).as("frozen").isEqualTo(before.get("cnn2_W"));
        assertThat(tuned.paramTable().get("predictions_W")).as("new head").isNotEqualTo(before.get("predictions_W"));
        assertThat(tuned.outputSingle(Nd4j.zeros(1, 1, 28, 28)).shape()).containsExactly(1, 5);
    }

    @Test
    void aPretrainedZooBaseBringsTheRecipeItsWeightsWereMadeWith() {
        JobSpec vgg = JobSpec.builder().base("zoo:vgg16").imageSize("3x224x224").build();

        Preprocessing caffe = vgg.recipe().preprocessing();
        assertThat(caffe.channelOrder()).isEqualTo(Preprocessing.ChannelOrder.BGR);
        assertThat(caffe.resize()).isEqualTo(Preprocessing.Resize.SHORTER_SIDE);
        assertThat(caffe.resizeTo()).isEqualTo(256);
        float[] pixel = {123.68f, 116.779f, 103.939f}; // ImageNet's mean pixel, RGB, becomes 0 in every channel
        new InputRecipe(new InputShape(3, 1, 1), InputShape.PIXEL_SCALE, caffe).normalise(pixel, 0);
        assertThat(pixel).containsExactly(new float[] {0, 0, 0}, within(1e-3f));

        assertThat(JobSpec.builder().base("zoo:xception").imageSize("3x299x299").build().recipe().preprocessing()
                .resizeTo()).isEqualTo(342);
        assertThat(JobSpec.builder().base("zoo:vgg16?weights=none").imageSize("3x224x224").build().recipe()
                .preprocessing()).as("untrained: the job's own").isEqualTo(Preprocessing.DEFAULT);
        assertThat(JobSpec.builder().base("zoo:lenet").build().recipe().preprocessing()).isEqualTo(Preprocessing.DEFAULT);
        Preprocessing own = new Preprocessing(null, List.of(0.5), List.of(0.25), null, null, null);
        assertThat(vgg.toBuilder().preprocessing(own).build().recipe().preprocessing()).as("the job's wins")
                .isEqualTo(own);
    }

    @Test
    void badReferencesAreClearErrors() {
        ZooModels zoo = new ZooModels(cache, false, null, new ConsoleListener(out));

        assertThatThrownBy(() -> zoo.load("zoo:LeNot", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("no zoo model 'LeNot'").hasMessageContaining("lenet, nasnet");
        assertThatThrownBy(() -> zoo.load("zoo:LeNet?weights=imagenet", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("no imagenet weights for zoo:LeNet?weights=imagenet; it has: mnist");
        assertThatThrownBy(() -> zoo.load("zoo:LeNet?pretrained=no", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("unknown option 'pretrained=no'");
        assertThatThrownBy(() -> zoo.load("zoo:SimpleCNN", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("no pretrained weights for zoo:SimpleCNN")
                .hasMessageContaining("zoo:simplecnn?weights=none");
        assertThatThrownBy(() -> zoo.load("zoo:AlexNet?weights=none", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("zoo:AlexNet?weights=none cannot be built for 1x28x28 images");
        assertThatThrownBy(() -> zoo.load("zoo:ResNet50?weights=none", SyntheticDigits.SHAPE, 10, 1))
                .hasMessageContaining("zoo:ResNet50?weights=none cannot be built for 1x28x28 images");
    }

    @Test
    void anUntrainedLeNetBuiltForTheDataFineTunesWithANewHeadAndPublishes(@TempDir Path registry) throws Exception {
        // LeNet's dense layer has 1.2 M weights: 400 training images keep the test short
        JobSpec spec = JobSpec.builder().data("synthetic:1200").preset(SeedCnn.NAME).model("lenet").epochs(1)
                .batchSize(32).seed(6).limit(400).optimizer("adam:0.001").runDir(cache.resolve("run").toString())
                .base("zoo:LeNet?weights=none").featuresAt("ffn1").build();

        TrainingPipeline.Result result = new TrainingPipeline(new ConsoleListener(out), KafkaClients.at(LabeledTopic.DEFAULT_BOOTSTRAP),
                new ZooModels(cache, false, null, new ConsoleListener(out)))
                .run(spec, new ModelRegistry(registry));

        // conv, pool, conv, pool, dense, and the new head reading the dense layer
        assertThat(result.network().getLayers()).hasSize(6);
        assertThat(((LayerVertex) result.network().getConfiguration().getVertices().get("cnn1")).getPreProcessor())
                .as("takes maps").isNull();
        assertThat(result.test().accuracy()).as("better than chance").isGreaterThan(0.2);
        assertThat(result.parity().argmaxMismatches()).isZero();
        assertThat(result.version().card().preset()).isEqualTo("fine-tuned from zoo:LeNet?weights=none");
    }
}
