package dev.svertka.onnx;

import static dev.svertka.onnx.SmallNetworks.NO_METADATA;
import static dev.svertka.onnx.SmallNetworks.images;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.graph.StackVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

import dev.svertka.card.InputShape;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

/** ComputationGraphs: residual blocks (element-wise add), concatenating merges, other element-wise ops. */
class GraphParityTest {

    private static final InputShape RGB = new InputShape(3, 12, 10);

    @Test
    void residualBlocksWithBatchNormMatchDl4j() throws Exception {
        GraphBuilder graph = builder()
                .addLayer("stem", conv(8).build(), "in")
                .addLayer("a1", conv(8).build(), "stem")
                .addLayer("a1bn", new BatchNormalization.Builder().build(), "a1")
                .addLayer("a2", conv(8).activation(Activation.IDENTITY).build(), "a1bn")
                .addVertex("add1", new ElementWiseVertex(ElementWiseVertex.Op.Add), "stem", "a2")
                .addLayer("b1", conv(8).build(), "add1")
                .addVertex("add2", new ElementWiseVertex(ElementWiseVertex.Op.Add), "add1", "b1")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "add2")
                .addLayer("out", SmallNetworks.softmaxOutput(), "pool")
                .setOutputs("out");
        ComputationGraph net = build(graph);

        byte[] model = OnnxExporter.export(net, RGB, NO_METADATA);

        assertThat(ModelProto.parseFrom(model).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .contains("Sum", "BatchNormalization", "GlobalAveragePool");
        assertParity("residual graph", net, model);
    }

    @Test
    void mergeAndOtherElementWiseVerticesMatchDl4j() throws Exception {
        GraphBuilder graph = builder()
                .addLayer("left", conv(4).build(), "in")
                .addLayer("right", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("third", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.SIGMOID).build(), "in")
                .addVertex("merge", new MergeVertex(), "left", "right")
                .addVertex("product", new ElementWiseVertex(ElementWiseVertex.Op.Product), "left", "right", "third")
                .addVertex("average", new ElementWiseVertex(ElementWiseVertex.Op.Average), "left", "third")
                .addVertex("max", new ElementWiseVertex(ElementWiseVertex.Op.Max), "right", "third")
                .addVertex("difference", new ElementWiseVertex(ElementWiseVertex.Op.Subtract), "average", "max")
                .addVertex("all", new MergeVertex(), "merge", "product", "difference")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build(), "all")
                .addLayer("out", SmallNetworks.softmaxOutput(), "pool")
                .setOutputs("out");
        ComputationGraph net = build(graph);

        byte[] model = OnnxExporter.export(net, RGB, NO_METADATA);

        assertThat(ModelProto.parseFrom(model).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .contains("Concat", "Mul", "Mean", "Max", "Sub");
        assertParity("merge graph", net, model);
    }

    /** Inception-ResNet scales its residual branches; FaceNet ends in an L2-normalised embedding. */
    @Test
    void scaleShiftAndL2NormalizeVerticesMatchDl4j() throws Exception {
        GraphBuilder graph = builder()
                .addLayer("stem", conv(4).build(), "in")
                .addLayer("branch", conv(4).activation(Activation.IDENTITY).build(), "stem")
                .addVertex("scaled", new ScaleVertex(0.17), "branch")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "stem", "scaled")
                .addVertex("shifted", new ShiftVertex(-0.4), "add")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "shifted")
                .addLayer("embedding", new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build(),
                        "pool")
                .addVertex("normalized", new L2NormalizeVertex(new int[] {1}, 1e-10), "embedding")
                .addLayer("out", SmallNetworks.softmaxOutput(), "normalized")
                .setOutputs("out");
        ComputationGraph net = build(graph);

        byte[] model = OnnxExporter.export(net, RGB, NO_METADATA);

        assertThat(ModelProto.parseFrom(model).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .contains("Mul", "Add", "ReduceL2", "Div");
        assertParity("scale, shift and L2 normalize", net, model);
    }

    @Test
    void refusesAnUnsupportedVertexNamingIt() {
        ComputationGraph net = build(builder()
                .addLayer("conv", conv(4).build(), "in")
                .addVertex("stack", new StackVertex(), "conv", "conv")
                .addLayer("out", SmallNetworks.softmaxOutput(), "stack")
                .setOutputs("out"));

        assertThatThrownBy(() -> OnnxExporter.export(net, RGB, NO_METADATA))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("vertex 'stack' (StackVertex)")
                .hasMessageContaining("vertex type not supported");
    }

    private static void assertParity(String kind, ComputationGraph net, byte[] model) throws Exception {
        ParityReport report = ParityCheck.compare(net, model, images(RGB, 16, 9));

        System.out.printf("parity %s: max abs diff %.3g over %d images%n", kind, report.maxAbsDiff(), report.samples());
        assertThat(report.maxAbsDiff()).isLessThanOrEqualTo(1e-4);
        assertThat(report.argmaxMismatches()).isZero();
    }

    private static GraphBuilder builder() {
        return new NeuralNetConfiguration.Builder().seed(11).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(RGB.height(), RGB.width(), RGB.channels()));
    }

    private static ComputationGraph build(GraphBuilder graph) {
        ComputationGraph net = new ComputationGraph(graph.build());
        net.init();
        SmallNetworks.randomizeBiasesAndStatistics(net.paramTable(), 11);
        return net;
    }

    private static ConvolutionLayer.Builder conv(int channels) {
        return new ConvolutionLayer.Builder(3, 3).nOut(channels).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.RELU);
    }
}
