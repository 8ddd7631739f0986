package dev.svertka.train;

import static dev.svertka.train.KerasFixtures.assertComputesWhatNumpyComputed;
import static dev.svertka.train.KerasFixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.svertka.train.event.ConsoleListener;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;

/** Keras .h5 bases: fixtures written by src/test/resources/keras/make_fixtures.py (h5py + numpy, no Keras). */
class KerasImportTest {

    @TempDir
    Path work;

    @Test
    void importsTheSequentialNetWithWeightsThatComputeWhatKerasMathsComputes() throws Exception {
        MultiLayerNetwork imported = KerasImport.sequential(fixture("small_cnn.h5"));

        // conv, pool, conv, pool, dense (after Flatten), dropout, dense softmax: 40 + 296 + 3216 + 170 weights
        assertThat(imported.getnLayers()).isEqualTo(7);
        assertThat(imported.numParams()).isEqualTo(3722);
        assertThat(FineTuning.layerIndex(Graphs.of(imported), "max_pooling2d_1")).isEqualTo(3);
        assertThat(imported.getLayerWiseConfigurations().getConf(6).getLayer()).isInstanceOf(OutputLayer.class);

        assertComputesWhatNumpyComputed(imported::output, "small_cnn.expected.json", 1e-5);
    }

    @Test
    void importsBatchNormalizationSamePaddingAndGlobalPoolingAsABase() throws Exception {
        ComputationGraph imported = new BaseModels(new ZooModels(work, false, null, new ConsoleListener(System.out))).load(
                fixture("bn_gap_cnn.h5").toString(), SyntheticDigits.SHAPE, 10, 1, new ModelRegistry(work));

        // conv, BN (gamma, beta, mean, variance), pool, conv, global average, dense: 40 + 16 + 296 + 90
        assertThat(imported.getLayers()).hasSize(6);
        assertThat(imported.numParams()).isEqualTo(442);
        assertComputesWhatNumpyComputed(imported::outputSingle, "bn_gap_cnn.expected.json", 1e-5);
    }

    @Test
    void fineTunesTheKerasNetWithFrozenConvolutionsAndPublishesIt() throws Exception {
        Path h5 = fixture("small_cnn.h5");
        ComputationGraph importedGraph = Graphs.of(KerasImport.sequential(h5));
        Map<String, INDArray> imported = importedGraph.paramTable();
        // conv, pool, conv, pool, dense, dropout, dense softmax
        String[] layers = Graphs.order(importedGraph).stream().skip(1).toArray(String[]::new);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        JobSpec spec = JobSpec.builder().data("synthetic:1200").preset(SeedCnn.NAME).model("from-keras").epochs(1)
                .batchSize(32).seed(4).optimizer("adam:0.003").runDir(work.resolve("run").toString())
                .base(h5.toString()).freezeUpTo("max_pooling2d_1").featuresAt(layers[5]).build();

        TrainingPipeline.Result result = new TrainingPipeline(new PrintStream(log, true, StandardCharsets.UTF_8))
                .run(spec, new ModelRegistry(work.resolve("registry")));

        Map<String, INDArray> tuned = result.network().paramTable();
        for (String frozen : new String[] {layers[0] + "_W", layers[0] + "_b", layers[2] + "_W", layers[2] + "_b"}) {
            assertThat(tuned.get(frozen)).as("frozen " + frozen).isEqualTo(imported.get(frozen));
        }
        assertThat(tuned.get(layers[4] + "_W")).as("trained dense").isNotEqualTo(imported.get(layers[4] + "_W"));
        assertThat(result.history().get(0).loss()).isLessThan(Math.log(10)); // it learned more than chance
        assertThat(result.parity().argmaxMismatches()).isZero();
        assertThat(result.version().card().preset()).isEqualTo("fine-tuned from " + h5);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("new head for 10 classes, 4 layers frozen");
        // the saliency map differentiates through the frozen layers too
        assertThat(work.resolve("run/report/saliency.png")).isNotEmptyFile();
    }

    @Test
    void aFunctionalModelOrAFileThatIsNotHdf5IsRefusedNamingTheFileAndWhy() throws Exception {
        Path functional = fixture("functional.h5");
        assertThatThrownBy(() -> KerasImport.sequential(functional))
                .hasMessageContaining(functional.toString())
                .hasMessageContaining("must be Sequential (found Functional)")
                .hasMessageContaining("a functional model imports as a graph: KerasImport.functional");

        Path text = Files.writeString(work.resolve("model.h5"), "{\"class_name\": \"Sequential\"}");
        assertThatThrownBy(() -> KerasImport.sequential(text))
                .hasMessageContaining(text.toString()).hasMessageContaining("not an HDF5 file");

        assertThatThrownBy(() -> KerasImport.sequential(work.resolve("missing.h5")))
                .hasMessageContaining("missing.h5 does not exist");
    }
}
