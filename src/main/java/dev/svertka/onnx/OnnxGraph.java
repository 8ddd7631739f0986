package dev.svertka.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * A sequential ONNX graph under construction: every node consumes the tensor the previous one produced
 * (plus its own weights), which is all a {@code MultiLayerNetwork} needs.
 */
final class OnnxGraph {

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private String current;

    /** Starts a graph whose input is a float batch of {@code inputDims} per sample. */
    OnnxGraph(String name, String inputName, long... inputDims) {
        graph.setName(name);
        graph.addInput(batchOf(inputName, inputDims));
        names.add(inputName);
        current = inputName;
    }

    /** Adds a float initializer holding {@code array} in row-major order and returns its name. */
    String weights(String name, INDArray array) {
        // toFlattened copies into 'c' order whatever the view's strides: DL4J dense weights are 'f'-ordered views
        float[] values = Nd4j.toFlattened('c', array.castTo(DataType.FLOAT)).toFloatVector();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        String unique = unique(name);
        TensorProto.Builder tensor = TensorProto.newBuilder()
                .setName(unique)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long dim : array.shape()) {
            tensor.addDims(dim);
        }
        graph.addInitializer(tensor);
        return unique;
    }

    /** Appends a node applied to the current tensor (then {@code extraInputs}); its output becomes current. */
    void apply(String opType, String layerName, List<String> extraInputs, AttributeProto... attributes) {
        String output = unique(layerName + "/" + opType);
        NodeProto.Builder node = NodeProto.newBuilder()
                .setOpType(opType)
                .setName(output)
                .addInput(current)
                .addAllInput(extraInputs)
                .addOutput(output);
        for (AttributeProto attribute : attributes) {
            node.addAttribute(attribute);
        }
        graph.addNode(node);
        current = output;
    }

    void apply(String opType, String layerName, AttributeProto... attributes) {
        apply(opType, layerName, List.of(), attributes);
    }

    /**
     * Renames the last node's output to the graph output, a float batch of {@code outputDims} per sample.
     * There is a last node: a flat output from image input takes at least a Flatten.
     */
    GraphProto finish(String outputName, long... outputDims) {
        graph.getNodeBuilder(graph.getNodeCount() - 1).setOutput(0, outputName);
        graph.addOutput(batchOf(outputName, outputDims));
        return graph.build();
    }

    static AttributeProto ints(String name, int... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (int value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF((float) value).build();
    }

    /** Value info of a float tensor [batch, dims...]; the batch size is symbolic so any batch can be fed. */
    private static ValueInfoProto.Builder batchOf(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDimBuilder().setDimParam(OnnxExporter.BATCH_DIM);
        for (long dim : dims) {
            shape.addDimBuilder().setDimValue(dim);
        }
        TypeProto.Builder type = TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape));
        return ValueInfoProto.newBuilder().setName(name).setType(type);
    }

    /** ONNX needs unique tensor names, and DL4J does not insist on unique layer names. */
    private String unique(String name) {
        String candidate = name;
        for (int n = 1; !names.add(candidate); n++) {
            candidate = name + "_" + n;
        }
        return candidate;
    }
}
