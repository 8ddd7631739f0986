package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.card.InputShape;
import dev.svertka.data.LabeledTopic;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.SyntheticPhotos;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.train.event.ConsoleListener;

/**
 * Graphs as bases: an untrained zoo VGG16 at 32x32 fine-tuned end to end on colour PNG folders; a small branched
 * graph checkpoint fine-tuned, resumed and unfrozen; SqueezeNet for the classifier cut, vertex names and pretrained
 * weights from the cache. Whole zoo backbones at their real sizes are exported in BackboneParityIT.
 */
class GraphFineTuningTest {

    private static final InputShape COLOUR = new InputShape(3, 32, 32);
    private static final String VGG = "zoo:vgg16?weights=none";

    @TempDir
    Path work;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final ConsoleListener console = new ConsoleListener(new PrintStream(log, true, StandardCharsets.UTF_8));

    @Test
    void aZooGraphFineTunesWithAFrozenBodyAndANewHeadAndPublishes() throws Exception {
        Path folders = colourFolders(work.resolve("colours"), 12, 4);
        ZooModels zoo = new ZooModels(work.resolve("cache"), false, null, console);
        ModelRegistry registry = new ModelRegistry(work.resolve("registry"));
        Path run = work.resolve("run");
        // vertex "9" is VGG16's third max pooling: blocks 1-3 (ten layers) stay as they are
        JobSpec spec = JobSpec.builder().data(folders.toString()).imageSize("3x32x32").model("colours").epochs(1)
                .batchSize(9).validationSplit(0.25).seed(8).optimizer("adam:0.001").base(VGG).freezeUpTo("9")
                .runDir(run.toString()).build();

        TrainingPipeline.Result tuned = new TrainingPipeline(console, KafkaClients.at(LabeledTopic.DEFAULT_BOOTSTRAP), zoo)
                .run(spec, registry);

        ComputationGraph untrained = zoo.load(VGG, COLOUR, 3, 8);
        ComputationGraph network = tuned.network();
        assertThat(network.paramTable().get("0_W")).as("frozen conv").isEqualTo(untrained.paramTable().get("0_W"));
        assertThat(network.paramTable().get("7_W")).as("frozen conv").isEqualTo(untrained.paramTable().get("7_W"));
        assertThat(network.paramTable().get("10_W")).as("trained conv").isNotEqualTo(untrained.paramTable().get("10_W"));
        assertThat(network.getConfiguration().getVertices()).as("VGG's dense classifier is cut off")
                .doesNotContainKeys("18", "19", "20").containsKeys(FineTuning.POOLING, FineTuning.HEAD);
        assertThat(network.getConfiguration().getVertexInputs().get(FineTuning.POOLING)).containsExactly("17");
        assertThat(network.outputSingle(Nd4j.zeros(2, 3, 32, 32)).shape()).containsExactly(2, 3);
        assertThat(tuned.parity().argmaxMismatches()).isZero();
        assertThat(tuned.parity().maxAbsDiff()).isLessThan(1e-4);
        ModelVersion stored = registry.resolve("colours");
        assertThat(stored.card().labels()).containsExactly("blue", "green", "red");
        assertThat(stored.card().preset()).isEqualTo("fine-tuned from " + VGG);
        assertThat(stored.card().hyperParameters()).containsEntry("features_at", "17").containsEntry("freeze_up_to", "9");
        assertThat(Graphs.holdsGraph(stored.checkpointFile())).isTrue();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Fine-tuning " + VGG
                + ": new head for 3 classes, 10 layers frozen").contains("Epoch 1/1 - ");
        assertThat(run.resolve("report/saliency.png")).isNotEmptyFile();
        assertThat(run.resolve("report/filters.png")).isNotEmptyFile();
    }

    @Test
    void aBranchedGraphCheckpointFineTunesThenResumesAndUnfreezes() throws Exception {
        Path folders = colourFolders(work.resolve("colours"), 16, 4);
        Path base = work.resolve("branched.zip");
        ComputationGraph branched = branched();
        ModelSerializer.writeModel(branched, base.toFile(), false);
        ModelRegistry registry = new ModelRegistry(work.resolve("registry"));
        TrainingPipeline pipeline = new TrainingPipeline(new PrintStream(log, true, StandardCharsets.UTF_8));
        Path run = work.resolve("run");
        JobSpec spec = JobSpec.builder().data(folders.toString()).imageSize("3x32x32").model("branched").epochs(1)
                .batchSize(12).validationSplit(0.25).seed(2).optimizer("adam:0.01").base(base.toString())
                .freezeUpTo("mixed").runDir(run.toString()).build();

        TrainingPipeline.Result tuned = pipeline.run(spec, registry);

        // the stem and both branches are frozen; the new head reads the last maps, "top"
        assertThat(FineTuning.frozenLayers(tuned.network())).isEqualTo(3);
        assertThat(tuned.network().paramTable().get("right_W")).isEqualTo(branched.paramTable().get("right_W"));
        assertThat(tuned.network().paramTable().get("top_W")).isNotEqualTo(branched.paramTable().get("top_W"));
        assertThat(tuned.network().getConfiguration().getVertexInputs().get(FineTuning.POOLING))
                .containsExactly("top");
        assertThat(tuned.network().getConfiguration().getVertices()).doesNotContainKey("old_head");

        TrainingPipeline.Result resumed = pipeline.run(spec.toBuilder().base(null).freezeUpTo(null).epochs(2)
                .unfreezeAfter(1).resume(run.resolve(Trainer.LAST_CHECKPOINT).toString()).build(), registry);

        assertThat(resumed.history()).extracting(Trainer.EpochMetrics::epoch).containsExactly(2);
        assertThat(FineTuning.frozenLayers(resumed.network())).as("unfrozen after epoch 1").isZero();
        assertThat(resumed.network().paramTable().get("right_W")).as("trainable again")
                .isNotEqualTo(branched.paramTable().get("right_W"));
        assertThat(resumed.parity().argmaxMismatches()).isZero();
        assertThat(resumed.version().card().version()).isEqualTo(2);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Resuming ")
                .contains("Unfreezing all layers after epoch 1");
        assertThatThrownBy(() -> pipeline.run(spec.toBuilder().freezeUpTo("midxed").build(), registry))
                .hasMessageContaining("cannot fine-tune " + base + ": no vertex 'midxed'")
                .hasMessageContaining("mixed").hasMessageContaining("=top");
    }

    @Test
    void aFrozenPartWithResidualSumsTrainsByFullPassesToo() throws Exception {
        // two frozen residual blocks: their sums stay frozen vertices, or DL4J's backward pass stops at them
        Path photos = work.resolve("sums");
        SyntheticPhotos.write(photos, new SyntheticPhotos.Plan(6, 2, 3, 9), SyntheticPhotos.Progress.NONE);
        JobSpec spec = JobSpec.builder().data(photos.toString()).imageSize("3x32x32").model("residual")
                .base("src/test/resources/keras/resnet_like.h5").freezeUpTo("conv2_block2_out").epochs(1)
                .batchSize(6).augment("horizontal_flip=true").runDir(work.resolve("sums-run").toString()).build();

        TrainingPipeline.Result result = new TrainingPipeline(System.out).run(spec,
                new ModelRegistry(work.resolve("sums-registry")));

        assertThat(result.history()).hasSize(1);
        assertThat(result.parity().argmaxMismatches()).isZero();
    }

    @Test
    void theClassifierIsCutAtTheLastFeatureMapsAndAWrongVertexIsRefusedWithTheNames() {
        ComputationGraph squeeze = (ComputationGraph) SqueezeNet.builder().inputShape(new int[] {3, 64, 64})
                .numClasses(10).seed(1).build().init();
        InputShape shape = new InputShape(3, 64, 64);

        ComputationGraph tuned = FineTuning.prepare(squeeze, shape, 4, "fire5", null, new Adam(1e-3), 1);

        // the final 1x1 convolution into 10 class maps, its pooling and softmax went with the old head
        assertThat(tuned.getConfiguration().getVertices()).doesNotContainKeys("conv10", "conv10_act", "avg_pool",
                "loss");
        assertThat(tuned.getConfiguration().getVertexInputs().get(FineTuning.POOLING)).containsExactly("drop9");
        assertThat(tuned.outputSingle(Nd4j.zeros(1, 3, 64, 64)).shape()).containsExactly(1, 4);
        // conv1 to fire5 frozen: 3 layers, six a fire module, pool3 (the merges have nothing to freeze)
        assertThat(FineTuning.frozenLayers(tuned)).isEqualTo(3 + 4 * 6 + 1);
        assertThat(FineTuning.prepare(squeeze, shape, 4, null, "fire9", new Adam(1e-3), 1).getConfiguration()
                .getVertexInputs().get(FineTuning.POOLING)).containsExactly("fire9");

        assertThatThrownBy(() -> FineTuning.prepare(squeeze, shape, 4, "fire55", null, new Adam(1e-3), 1))
                .hasMessageContaining("no vertex 'fire55'").hasMessageContaining("fire5_sq1x1")
                .hasMessageContaining("0=conv1");
        assertThatThrownBy(() -> FineTuning.prepare(squeeze, shape, 4, null, "fire10", new Adam(1e-3), 1))
                .hasMessageContaining("no vertex 'fire10'").hasMessageContaining("drop9");
        assertThatThrownBy(() -> FineTuning.prepare(squeeze, shape, 4, "conv10", null, new Adam(1e-3), 1))
                .hasMessageContaining("part of the old head").hasMessageContaining("reads 'drop9'");
        assertThatCode(() -> BaseModels.checkExports("zoo:squeezenet?weights=none", tuned, shape))
                .as("SqueezeNet's activation layers export").doesNotThrowAnyException();
    }

    @Test
    void pretrainedGraphWeightsComeFromTheCachePinnedBySha256AndACheckpointMustTakeTheImages() throws Exception {
        // the zoo's own file cannot be fetched offline: an untrained SqueezeNet written where it goes stands in,
        // which the zoo's Adler-32 refuses and a SHA-256 pin of that very file admits
        ComputationGraph stand = (ComputationGraph) SqueezeNet.builder().inputShape(new int[] {3, 64, 64})
                .numClasses(1000).seed(3).build().init();
        ZooModels zoo = new ZooModels(work, false, null, console);
        Path cached = zoo.weightsFile("zoo:squeezenet");
        Files.createDirectories(cached.getParent());
        ModelSerializer.writeModel(stand, cached.toFile(), false);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(cached)));
        InputShape shape = new InputShape(3, 64, 64);

        assertThatThrownBy(() -> zoo.load("zoo:squeezenet", shape, 4, 1))
                .hasMessageContaining("are not the zoo's: Adler-32 checksum");
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> zoo.load("zoo:squeezenet?sha256=" + wrong, shape, 4, 1))
                .hasMessageContaining("are not the pinned ones: SHA-256 " + sha256 + ", expected " + wrong);
        assertThatThrownBy(() -> zoo.load("zoo:squeezenet?weights=none&sha256=" + sha256, shape, 4, 1))
                .hasMessageContaining("asks for none");

        ComputationGraph pretrained = zoo.load("zoo:squeezenet?weights=imagenet&sha256=" + sha256.toUpperCase(),
                shape, 4, 1);

        assertThat(pretrained.params()).as("the cached weights").isEqualTo(stand.params());
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Pretrained weights: " + cached);
        ComputationGraph tuned = FineTuning.prepare(pretrained, shape, 4, "fire9", null, new Adam(1e-3), 1);
        assertThat(tuned.paramTable().get("fire9_exp3x3_W")).isEqualTo(stand.paramTable().get("fire9_exp3x3_W"));
        assertThat(tuned.outputSingle(Nd4j.zeros(1, 3, 64, 64)).shape()).containsExactly(1, 4);

        // a graph checkpoint is recognised as one, and refused for images it cannot take
        Path zip = work.resolve("squeeze.zip");
        ModelSerializer.writeModel(stand, zip.toFile(), false);
        assertThat(Graphs.holdsGraph(zip)).isTrue();
        assertThatThrownBy(() -> new BaseModels(zoo).load(zip.toString(), new InputShape(1, 28, 28), 4, 1,
                new ModelRegistry(work))).hasMessageContaining("does not take 1x28x28 images");
    }

    /** stem conv, a 1x1 and a 3x3 branch merged, max pooling, conv "top", global pooling, a 5-class output. */
    private static ComputationGraph branched() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5)
                .updater(new Adam(1e-3)).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(32, 32, 3))
                .addLayer("stem", new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("left", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.RELU).build(), "stem")
                .addLayer("right", new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(4)
                        .activation(Activation.RELU).build(), "stem")
                .addVertex("mixed", new MergeVertex(), "left", "right")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                        "mixed")
                .addLayer("top", new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU).build(), "pool")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "top")
                .addLayer("old_head", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("old_head").build());
        graph.init();
        return graph;
    }

    /**
     * Class folders train/ and test/ of 32x32 colour PNGs: on noise, a bright square in the class's colour channel
     * (red, green or blue) at a random place.
     */
    private static Path colourFolders(Path root, int trainPerClass, int testPerClass) throws Exception {
        String[] colours = {"red", "green", "blue"};
        Random random = new Random(4);
        for (int c = 0; c < colours.length; c++) {
            for (int i = 0; i < trainPerClass + testPerClass; i++) {
                byte[] chw = new byte[3 * 32 * 32];
                for (int p = 0; p < chw.length; p++) {
                    chw[p] = (byte) random.nextInt(80);
                }
                int x = random.nextInt(20);
                int y = random.nextInt(20);
                for (int dy = 0; dy < 12; dy++) {
                    for (int dx = 0; dx < 12; dx++) {
                        chw[c * 1024 + (y + dy) * 32 + x + dx] = (byte) 230;
                    }
                }
                Path file = root.resolve(i < trainPerClass ? "train" : "test").resolve(colours[c]).resolve(i + ".png");
                Files.createDirectories(file.getParent());
                Files.write(file, ImageEncoder.png(COLOUR, chw));
            }
        }
        return root;
    }
}
