package dev.svertka.train;

import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import dev.svertka.card.InputShape;
import dev.svertka.onnx.OnnxExporter;
import dev.svertka.onnx.ParityCheck;
import static dev.svertka.train.KerasFixtures.assertComputesWhatNumpyComputed;
import static dev.svertka.train.KerasFixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keras functional .h5 bases (keras.applications' building blocks), fixtures from make_fixtures.py. */
class KerasGraphImportTest {

    @TempDir
    Path work;

    @ParameterizedTest
    @CsvSource({
        // parameters: make_fixtures.py's weights, counted by h5py; the names: layers a user may freeze up to
        "mobilenet_v2_like, 3585, block_1_pad, Conv1_relu, block_2_add",
        "resnet_like,       4213, pool1_pool, conv2_block1_add, conv3_block1_out",
        "vgg_like,          18461, block2_pool, flatten, fc1"})
    void importsTheFunctionalModelComputingWhatKerasMathsComputesOnNchwImages(String name, long parameters,
            String first, String second, String third) throws Exception {
        Path h5 = fixture(name + ".h5");
        assertThat(KerasImport.isFunctional(h5)).isTrue();

        ComputationGraph imported = KerasImport.functional(h5);

        assertThat(imported.numParams()).isEqualTo(parameters);
        assertThat(imported.getConfiguration().getVertices()).containsKeys(first, second, third);
        assertThat(imported.getConfiguration().getNetworkOutputs()).containsExactly("predictions");
        LayerVertex output = (LayerVertex) imported.getConfiguration().getVertices().get("predictions");
        assertThat(output.getLayerConf().getLayer()).isInstanceOf(OutputLayer.class);
        assertComputesWhatNumpyComputed(images -> imported.outputSingle(images), name + ".expected.json", 1e-4);

        // the one parameter vector (what checkpoints and the registry store) holds every weight
        ComputationGraph stored = new ComputationGraph(imported.getConfiguration().clone());
        stored.init(imported.params().dup(), false);
        assertComputesWhatNumpyComputed(images -> stored.outputSingle(images), name + ".expected.json", 1e-4);

        // and the graph exports to ONNX computing the same
        InputShape shape = new InputShape(3, 32, 32);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32).muli(255);
        ParityCheck.verify(imported, OnnxExporter.export(imported, shape, Map.of()), images);
    }

    @Test
    void aSequentialModelIsNotFunctionalAndIsNotImportedAsAGraph() throws Exception {
        Path sequential = fixture("small_cnn.h5");
        assertThat(KerasImport.isFunctional(sequential)).isFalse();
        assertThatThrownBy(() -> KerasImport.functional(sequential))
                .hasMessageContaining(sequential.toString())
                .hasMessageContaining("it is a Sequential model, which imports as a layer stack");
    }

    @Test
    void anUnsupportedLayerIsRefusedByItsKerasName() throws Exception {
        Path concatenating = fixture("concatenate.h5");
        assertThatThrownBy(() -> KerasImport.functional(concatenating))
                .hasMessageContaining(concatenating.toString())
                .hasMessageContaining("layer 'concatenate' imports as MergeVertex, which the trainer does not take")
                .hasMessageContaining("supported Keras layers: Conv2D");
    }

    @Test
    void aModelWhoseInputIsNotAnImageOrAFileWithoutAModelIsRefused() throws Exception {
        Path vectors = fixture("functional.h5"); // Dense on 4 numbers
        assertThatThrownBy(() -> KerasImport.functional(vectors))
                .hasMessageContaining(vectors.toString())
                .hasMessageContaining("its input 'input_1' has shape [null,4], not (batch, height, width, channels)");

        Path weights = fixture("weights_only.h5");
        assertThatThrownBy(() -> KerasImport.isFunctional(weights))
                .hasMessageContaining(weights.toString()).hasMessageContaining("it holds no model_config");

        Path text = Files.writeString(work.resolve("model.h5"), "{\"class_name\": \"Functional\"}");
        assertThatThrownBy(() -> KerasImport.isFunctional(text)).hasMessageContaining("not an HDF5 file");
        assertThatThrownBy(() -> KerasImport.functional(work.resolve("missing.h5")))
                .hasMessageContaining("missing.h5 does not exist");
    }
}
