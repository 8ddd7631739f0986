package dev.svertka.train;

import static dev.svertka.train.KerasFixtures.assertComputesWhatNumpyComputed;
import static dev.svertka.train.KerasFixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * keras.applications' MobileNetV2 and ResNet50 as a user's {@code model.save('x.h5')} gives them, at full size with
 * random weights: written by applications.py (numpy + h5py, no Keras), imported as fine-tunable graphs computing what
 * a numpy forward pass along the same graph computes. An IT: 100 MB of models, 224x224 images.
 */
class KerasApplicationsIT {

    private static final int CLASSES = 5;

    @TempDir
    static Path models;

    @BeforeAll
    static void writeTheModels() throws Exception {
        Process script = new ProcessBuilder("/usr/bin/python3", fixture("applications.py").toString(),
                models.toString(), "--classes", String.valueOf(CLASSES), "--expected").redirectErrorStream(true)
                .start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor(2, TimeUnit.MINUTES)).as("applications.py finished").isTrue();
        assertThat(script.exitValue()).as("applications.py: %s", output).isZero();
    }

    @ParameterizedTest
    @CsvSource({
        // parameters without the top: keras.applications' published counts (include_top=False); names: layers a user
        // may freeze up to, from the stem to the last block
        "mobilenet_v2, 2257984, 1280, Conv1_relu, block_1_pad, block_16_project_BN, out_relu",
        "resnet50,     23587712, 2048, pool1_pool, conv2_block1_add, conv4_block6_out, conv5_block3_out"})
    void importsAsAFineTunableGraphComputingWhatNumpyComputes(String name, long baseParameters, long features,
            String stem, String firstBlock, String lateBlock, String last) throws Exception {
        ComputationGraph imported = KerasImport.functional(models.resolve(name + ".h5"));

        assertThat(imported.numParams()).isEqualTo(baseParameters + features * CLASSES + CLASSES);
        assertThat(imported.getConfiguration().getVertices()).containsKeys(stem, firstBlock, lateBlock, last);
        LayerVertex output = (LayerVertex) imported.getConfiguration().getVertices().get("predictions");
        assertThat(output.getLayerConf().getLayer()).isInstanceOf(OutputLayer.class);
        // a batch of two 224x224 images: [2, CLASSES] probabilities, finite and summing to 1 as numpy's are
        assertComputesWhatNumpyComputed(imported::outputSingle, models.resolve(name + ".expected.json"), 1e-4);
    }
}
