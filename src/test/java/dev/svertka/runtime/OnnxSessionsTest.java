package dev.svertka.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.svertka.card.InputShape;
import dev.svertka.onnx.OnnxExporter;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

/** The session factory applies its options, and a model opens the same from bytes as from a file. */
class OnnxSessionsTest {

    private static final InputShape SHAPE = new InputShape(1, 8, 8);
    private static byte[] model;

    @TempDir
    Path dir;

    /** Conv + ReLU, which ONNX Runtime's full optimisation fuses into one node. */
    @BeforeAll
    static void export() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SHAPE.height(), SHAPE.width(), SHAPE.channels())).build());
        net.init();
        model = OnnxExporter.export(net, SHAPE, Map.of());
    }

    @Test
    void aModelClassifiesTheSameFromBytesAsFromAFile() throws Exception {
        Path file = Files.write(dir.resolve("model.onnx"), model);
        float[] images = new float[2 * SHAPE.pixels()];
        Random random = new Random(3);
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat();
        }

        float[][] fromBytes;
        float[][] fromFile;
        try (OrtSession session = OnnxSessions.open(model, OnnxSessions.Options.DEFAULT)) {
            fromBytes = classify(session, images);
        }
        try (OrtSession session = OnnxSessions.open(file, OnnxSessions.Options.DEFAULT)) {
            fromFile = classify(session, images);
        }

        assertThat(fromBytes).hasNumberOfRows(2);
        assertThat(fromFile).isDeepEqualTo(fromBytes);
    }

    /**
     * A session asked to run on a GPU this machine or build lacks runs on the CPU, says so, and classifies the same.
     * (The CPU build has no CUDA provider; the GPU build's finds no CUDA libraries or device here.)
     */
    @Test
    void aSessionWithoutItsGpuRunsOnTheCpuAndWarns() throws Exception {
        Path file = Files.write(dir.resolve("model.onnx"), model);
        float[] images = new float[SHAPE.pixels()];
        Arrays.fill(images, 0.5f);
        List<LogRecord> logged = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(OnnxSessions.class.getName());
        log.addHandler(handler);
        float[][] onGpu;
        float[][] onCpu;
        try (OrtSession session = OnnxSessions.open(file, OnnxSessions.Options.DEFAULT
                .on(new OnnxSessions.Device(OnnxSessions.Provider.CUDA, 0)))) {
            onGpu = classify(session, images);
        } finally {
            log.removeHandler(handler);
        }
        try (OrtSession session = OnnxSessions.open(file, OnnxSessions.Options.DEFAULT)) {
            onCpu = classify(session, images);
        }

        assertThat(onGpu).isDeepEqualTo(onCpu);
        assertThat(logged).anySatisfy(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(record.getMessage()).contains("on CPU, not CUDA device 0: ");
        });
    }

    @Test
    void theOptimisationLevelReachesTheSession() throws Exception {
        assertThat(optimisedOps(OptLevel.NO_OPT)).contains("Conv", "Relu");
        assertThat(optimisedOps(OptLevel.ALL_OPT)).as("Conv and Relu fused").doesNotContain("Relu");
    }

    @Test
    void spinningIsTurnedOffForBothThreadPools() throws Exception {
        OnnxSessions.Options quiet = new OnnxSessions.Options(2, 2, OptLevel.ALL_OPT, true, ExecutionMode.SEQUENTIAL,
                false, OnnxSessions.Device.CPU);
        try (OrtSession.SessionOptions options = quiet.toSessionOptions()) {
            assertThat(options.getConfigEntries()).containsEntry("session.intra_op.allow_spinning", "0")
                    .containsEntry("session.inter_op.allow_spinning", "0");
        }
        try (OrtSession.SessionOptions options = OnnxSessions.Options.DEFAULT.toSessionOptions()) {
            assertThat(options.getConfigEntries()).containsEntry("session.intra_op.allow_spinning", "1");
        }
    }

    @Test
    void aMissingFileFailsNamingIt() {
        Path missing = dir.resolve("missing.onnx");

        assertThatThrownBy(() -> OnnxSessions.open(missing, OnnxSessions.Options.DEFAULT))
                .isInstanceOf(OrtException.class).hasMessageContaining("missing.onnx");
    }

    /** The node types of the model as ONNX Runtime optimised it at {@code level}, which it saves on request. */
    private List<String> optimisedOps(OptLevel level) throws Exception {
        Path saved = dir.resolve(level + ".onnx");
        OnnxSessions.Options options = new OnnxSessions.Options(1, 1, level, true, ExecutionMode.SEQUENTIAL, true,
                OnnxSessions.Device.CPU);
        try (OrtSession.SessionOptions sessionOptions = options.toSessionOptions()) {
            sessionOptions.setOptimizedModelFilePath(saved.toString());
            OnnxSessions.environment().createSession(model, sessionOptions).close();
        }
        return ModelProto.parseFrom(Files.readAllBytes(saved)).getGraph().getNodeList().stream()
                .map(NodeProto::getOpType).toList();
    }

    private static float[][] classify(OrtSession session, float[] images) throws OrtException {
        long[] dims = {images.length / SHAPE.pixels(), SHAPE.channels(), SHAPE.height(), SHAPE.width()};
        try (OnnxTensor input = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(images), dims);
                OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT_NAME, input))) {
            return (float[][]) result.get(0).getValue();
        }
    }
}
