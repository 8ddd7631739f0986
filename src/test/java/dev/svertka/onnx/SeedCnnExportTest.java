package dev.svertka.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.FloatBuffer;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.svertka.card.InputShape;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

class SeedCnnExportTest {

    private static final InputShape MNIST = new InputShape(1, 28, 28);
    private static final Map<String, String> METADATA = Map.of("svertka.model", "digits:3", "svertka.labels", "0,1,2");

    private static MultiLayerNetwork net;
    private static byte[] model;
    private static OrtSession session;

    @BeforeAll
    static void exportTrainedSeedCnn() throws Exception {
        net = Presets.build(SeedCnn.NAME, MNIST, 10, 42);
        // a few Adam steps on random data so that biases and weights are no longer their initial values
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 32, 10);
        for (int row = 0; row < 32; row++) {
            labels.putScalar(row, row % 10, 1f);
        }
        DataSet batch = new DataSet(SmallNetworks.images(MNIST, 32, 1), labels);
        for (int step = 0; step < 5; step++) {
            net.fit(batch);
        }
        model = OnnxExporter.export(net, MNIST, METADATA);
        session = OrtEnvironment.getEnvironment().createSession(model);
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
    }

    @Test
    void declaresNamedNchwInputAndProbabilityOutputWithDynamicBatch() throws Exception {
        assertThat(session.getInputNames()).containsExactly(OnnxExporter.INPUT_NAME);
        assertThat(session.getOutputNames()).containsExactly(OnnxExporter.OUTPUT_NAME);
        assertThat(shape(session.getInputInfo().get(OnnxExporter.INPUT_NAME))).containsExactly(-1, 1, 28, 28);
        assertThat(shape(session.getOutputInfo().get(OnnxExporter.OUTPUT_NAME))).containsExactly(-1, 10);

        ModelProto proto = ModelProto.parseFrom(model);
        assertThat(proto.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam())
                .isEqualTo(OnnxExporter.BATCH_DIM);
        assertThat(proto.getIrVersion()).isEqualTo(OnnxExporter.IR_VERSION);
        assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(OnnxExporter.OPSET);
    }

    @Test
    void carriesMetadataAndProducer() throws Exception {
        assertThat(session.getMetadata().getCustomMetadata()).containsAllEntriesOf(METADATA);
        assertThat(session.getMetadata().getProducerName()).isEqualTo("svertka");
        assertThat(session.getMetadata().getDescription()).contains("input float[batch,1,28,28]");
    }

    @Test
    void dropoutEmitsNothingAndFlattenPrecedesTheDenseLayer() throws Exception {
        assertThat(ModelProto.parseFrom(model).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .containsExactly("Conv", "Relu", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Softmax");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 37})
    void runsAnyBatchSize(int batch) throws Exception {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        float[] pixels = Nd4j.toFlattened('c', SmallNetworks.images(MNIST, batch, batch)).toFloatVector();
        try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), new long[] {batch, 1, 28, 28});
                OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT_NAME, input))) {
            float[][] probabilities = (float[][]) result.get(0).getValue();
            assertThat(probabilities).hasNumberOfRows(batch);
            for (float[] row : probabilities) {
                assertThat(row).hasSize(10);
                double sum = 0;
                for (float p : row) {
                    sum += p;
                }
                assertThat(sum).isCloseTo(1.0, offset(1e-5));
            }
        }
    }

    @Test
    void matchesDl4jOnRandomImages() throws Exception {
        ParityReport report = ParityCheck.verify(net, model, SmallNetworks.images(MNIST, 128, 7));

        System.out.printf("seed-cnn parity over %d images: max abs diff %.3g%n", report.samples(), report.maxAbsDiff());
        assertThat(report.samples()).isEqualTo(128);
        assertThat(report.maxAbsDiff()).isLessThanOrEqualTo(1e-4);
        assertThat(report.argmaxMismatches()).isZero();
    }

    private static long[] shape(NodeInfo info) {
        return ((TensorInfo) info.getInfo()).getShape();
    }
}
