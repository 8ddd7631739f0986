package dev.svertka.onnx;

import static dev.svertka.onnx.SmallNetworks.NO_METADATA;
import static dev.svertka.onnx.SmallNetworks.images;
import static dev.svertka.onnx.SmallNetworks.network;
import static dev.svertka.onnx.SmallNetworks.softmaxOutput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

import dev.svertka.card.InputShape;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;

class ParityCheckTest {

    private static final InputShape INPUT = new InputShape(1, 10, 10);

    @Test
    void passesTheModelExportedFromTheSameNetwork() throws Exception {
        MultiLayerNetwork net = smallCnn(1);
        byte[] model = OnnxExporter.export(net, INPUT, NO_METADATA);
        INDArray batch = images(INPUT, 20, 2);

        ParityReport report = ParityCheck.verify(net, model, Nd4j.toFlattened('c', batch).toFloatVector(), batch.shape());

        assertThat(report.samples()).isEqualTo(20);
        assertThat(report.maxAbsDiff()).isLessThanOrEqualTo(ParityCheck.TOLERANCE);
    }

    @Test
    void rejectsAModelExportedFromOtherWeights() throws Exception {
        MultiLayerNetwork net = smallCnn(1);
        byte[] otherModel = OnnxExporter.export(smallCnn(2), INPUT, NO_METADATA);
        INDArray batch = images(INPUT, 20, 2);

        assertThat(ParityCheck.compare(net, otherModel, batch).passes(ParityCheck.TOLERANCE)).isFalse();
        assertThatThrownBy(() -> ParityCheck.verify(net, otherModel, batch))
                .isInstanceOf(ParityException.class)
                .hasMessageContaining("disagrees");
    }

    @Test
    void rejectsAModelWithOneBiasSlightlyOff() throws Exception {
        MultiLayerNetwork net = smallCnn(1);
        ModelProto model = ModelProto.parseFrom(OnnxExporter.export(net, INPUT, NO_METADATA));
        ModelProto.Builder corrupted = model.toBuilder();
        TensorProto.Builder bias = corrupted.getGraphBuilder().getInitializerBuilderList().stream()
                .filter(tensor -> tensor.getName().equals("hidden/b")).findFirst().orElseThrow();
        ByteBuffer values = ByteBuffer.wrap(bias.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        values.putFloat(0, values.getFloat(0) + 0.05f);
        bias.setRawData(ByteString.copyFrom(values.array()));

        assertThatThrownBy(() -> ParityCheck.verify(net, corrupted.build().toByteArray(), images(INPUT, 20, 2)))
                .isInstanceOf(ParityException.class)
                .hasMessageContaining("max abs difference");
    }

    @Test
    void reportsAModelOnnxRuntimeCannotLoad() {
        MultiLayerNetwork net = smallCnn(1);

        assertThatThrownBy(() -> ParityCheck.verify(net, new byte[] {8, 7, 1, 2}, images(INPUT, 2, 2)))
                .isInstanceOf(ParityException.class)
                .hasMessageContaining("ONNX Runtime could not run the model");
    }

    @Test
    void reportPassesOnlyWithinToleranceWithSamePredictions() {
        assertThat(new ParityReport(10, 1e-6, 0).passes(1e-4)).isTrue();
        assertThat(new ParityReport(10, 2e-4, 0).passes(1e-4)).isFalse();
        assertThat(new ParityReport(10, 1e-6, 1).passes(1e-4)).isFalse();
        assertThat(new ParityReport(10, Double.NaN, 0).passes(1e-4)).isFalse();
    }

    private static MultiLayerNetwork smallCnn(long seed) {
        Layer[] layers = {
                new ConvolutionLayer.Builder(3, 3).name("conv").nOut(4).activation(Activation.RELU).build(),
                new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                new DenseLayer.Builder().name("hidden").nOut(8).activation(Activation.RELU).build(),
                softmaxOutput()};
        return network(INPUT, seed, layers);
    }
}
