package dev.svertka.onnx;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.svertka.backend.OneDnnHelpers;
import dev.svertka.runtime.OnnxSessions;

/**
 * Runs a DL4J network and its exported ONNX model on the same images and compares the class probabilities,
 * so that a model is never published that serves different answers from the one that was evaluated.
 */
public final class ParityCheck {

    /** Float32 through different kernels drifts by ~1e-6; anything near 1e-4 is a translation error. */
    public static final double TOLERANCE = 1e-4;

    private ParityCheck() {
    }

    /** @param images [N, C, H, W], the layout of the ONNX input; adapted for DL4J networks that take another */
    public static ParityReport compare(MultiLayerNetwork net, byte[] onnxModel, INDArray images)
            throws ParityException {
        INDArray batch = images.castTo(DataType.FLOAT);
        return compare(net, onnxModel, Nd4j.toFlattened('c', batch).toFloatVector(), batch.shape());
    }

    /** @param images row-major pixels of a batch of the given [N, C, H, W] shape */
    public static ParityReport compare(MultiLayerNetwork net, byte[] onnxModel, float[] images, long[] shape)
            throws ParityException {
        NetworkInput input = OnnxExporter.networkInput(net.getLayerWiseConfigurations());
        OneDnnHelpers.guard(net.getLayers());
        return compare(batch -> net.output(input.toDl4j(batch), false), onnxModel, images, shape);
    }

    /** Like {@link #compare(MultiLayerNetwork, byte[], INDArray)} for a graph with one input and one output. */
    public static ParityReport compare(ComputationGraph net, byte[] onnxModel, INDArray images)
            throws ParityException {
        NetworkInput input = OnnxExporter.networkInput(net);
        OneDnnHelpers.guard(net.getLayers());
        INDArray batch = images.castTo(DataType.FLOAT);
        return compare(b -> net.outputSingle(false, input.toDl4j(b)), onnxModel,
                Nd4j.toFlattened('c', batch).toFloatVector(), batch.shape());
    }

    private static ParityReport compare(UnaryOperator<INDArray> dl4j, byte[] onnxModel, float[] images, long[] shape)
            throws ParityException {
        INDArray expected = dl4j.apply(Nd4j.create(images, shape, 'c')).castTo(DataType.FLOAT);
        float[] actual = runOnnx(onnxModel, images, shape, expected.shape());
        int samples = (int) expected.size(0);
        int classes = (int) expected.size(1);
        float[] reference = Nd4j.toFlattened('c', expected).toFloatVector();
        double maxAbsDiff = 0;
        int argmaxMismatches = 0;
        for (int sample = 0; sample < samples; sample++) {
            int offset = sample * classes;
            for (int k = offset; k < offset + classes; k++) {
                // Math.max keeps a NaN, so a NaN on either side fails the check
                maxAbsDiff = Math.max(maxAbsDiff, Math.abs((double) reference[k] - actual[k]));
            }
            if (argmax(reference, offset, classes) != argmax(actual, offset, classes)) {
                argmaxMismatches++;
            }
        }
        return new ParityReport(samples, maxAbsDiff, argmaxMismatches);
    }

    /** Like {@link #compare(MultiLayerNetwork, byte[], INDArray)}, failing beyond {@link #TOLERANCE}. */
    public static ParityReport verify(MultiLayerNetwork net, byte[] onnxModel, INDArray images)
            throws ParityException {
        return requirePasses(compare(net, onnxModel, images));
    }

    /** Like {@link #compare(MultiLayerNetwork, byte[], float[], long[])}, failing beyond {@link #TOLERANCE}. */
    public static ParityReport verify(MultiLayerNetwork net, byte[] onnxModel, float[] images, long[] shape)
            throws ParityException {
        return requirePasses(compare(net, onnxModel, images, shape));
    }

    /** Like {@link #compare(ComputationGraph, byte[], INDArray)}, failing beyond {@link #TOLERANCE}. */
    public static ParityReport verify(ComputationGraph net, byte[] onnxModel, INDArray images)
            throws ParityException {
        return requirePasses(compare(net, onnxModel, images));
    }

    private static ParityReport requirePasses(ParityReport report) throws ParityException {
        if (!report.passes(TOLERANCE)) {
            throw new ParityException("ONNX model disagrees with the DL4J network on " + report.samples()
                    + " samples: max abs difference " + report.maxAbsDiff() + " (tolerance " + TOLERANCE
                    + "), predicted class differs on " + report.argmaxMismatches());
        }
        return report;
    }

    private static float[] runOnnx(byte[] onnxModel, float[] images, long[] shape, long[] expectedShape)
            throws ParityException {
        // serving's default options (one thread each), so that the check runs the model as it will be served
        try (OrtSession session = OnnxSessions.open(onnxModel, OnnxSessions.Options.DEFAULT);
                OnnxTensor input = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(images), shape);
                OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT_NAME, input))) {
            OnnxTensor output = (OnnxTensor) result.get(OnnxExporter.OUTPUT_NAME).orElseThrow(
                    () -> new ParityException("the ONNX model has no output '" + OnnxExporter.OUTPUT_NAME + "'"));
            long[] outputShape = output.getInfo().getShape();
            if (!Arrays.equals(outputShape, expectedShape)) {
                throw new ParityException("ONNX output shape " + Arrays.toString(outputShape)
                        + " differs from DL4J's " + Arrays.toString(expectedShape));
            }
            FloatBuffer buffer = output.getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        } catch (OrtException e) {
            throw new ParityException("ONNX Runtime could not run the model: " + e.getMessage(), e);
        }
    }

    private static int argmax(float[] values, int offset, int length) {
        int best = offset;
        for (int k = offset + 1; k < offset + length; k++) {
            if (values[k] > values[best]) {
                best = k;
            }
        }
        return best - offset;
    }
}
