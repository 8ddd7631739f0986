package dev.svertka.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
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
 * An ONNX graph under construction. Nodes are appended to a current tensor, which each node's output replaces:
 * a {@code MultiLayerNetwork} is one such chain; a {@code ComputationGraph} moves the current tensor to each
 * vertex's input before translating it and joins branches with {@link #join}.
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

    /** The tensor the next {@link #apply} consumes. */
    String current() {
        return current;
    }

    /** Makes an already produced tensor current, to continue the graph from a branch point. */
    void use(String tensor) {
        if (!names.contains(tensor)) {
            throw new IllegalArgumentException("no tensor named " + tensor);
        }
        current = tensor;
    }

    /** Appends a node taking {@code inputs} (several produced tensors); its output becomes current. */
    void join(String opType, String layerName, List<String> inputs, AttributeProto... attributes) {
        current = node(opType, layerName, inputs, attributes);
    }

    /** Adds an int64 initializer, such as the target shape of a Reshape, and returns its name. */
    String int64s(String name, long... values) {
        TensorProto.Builder tensor = TensorProto.newBuilder()
                .setName(unique(name))
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long value : values) {
            tensor.addInt64Data(value);
        }
        graph.addInitializer(tensor);
        return tensor.getName();
    }

    /** Appends a node applied to the current tensor (then {@code extraInputs}); its output becomes current. */
    void apply(String opType, String layerName, List<String> extraInputs, AttributeProto... attributes) {
        List<String> inputs = new ArrayList<>(extraInputs.size() + 1);
        inputs.add(current);
        inputs.addAll(extraInputs);
        current = node(opType, layerName, inputs, attributes);
    }

    void apply(String opType, String layerName, AttributeProto... attributes) {
        apply(opType, layerName, List.of(), attributes);
    }

    /**
     * Renames the current tensor to the graph output, a float batch of {@code outputDims} per sample. A node
     * produced it: a flat output from image input takes at least a Flatten.
     */
    GraphProto finish(String outputName, long... outputDims) {
        for (NodeProto.Builder node : graph.getNodeBuilderList()) {
            for (int i = 0; i < node.getInputCount(); i++) {
                if (node.getInput(i).equals(current)) {
                    // a branch also reads the output tensor: keep it under its name and copy it out
                    return finishWithIdentity(outputName, outputDims);
                }
            }
        }
        for (NodeProto.Builder node : graph.getNodeBuilderList()) {
            if (node.getOutput(0).equals(current)) {
                node.setOutput(0, outputName);
            }
        }
        graph.addOutput(batchOf(outputName, outputDims));
        return graph.build();
    }

    private GraphProto finishWithIdentity(String outputName, long... outputDims) {
        graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName(outputName).addInput(current)
                .addOutput(outputName));
        graph.addOutput(batchOf(outputName, outputDims));
        return graph.build();
    }

    private String node(String opType, String layerName, List<String> inputs, AttributeProto... attributes) {
        String output = unique(layerName + "/" + opType);
        NodeProto.Builder node = NodeProto.newBuilder()
                .setOpType(opType)
                .setName(output)
                .addAllInput(inputs)
                .addOutput(output);
        for (AttributeProto attribute : attributes) {
            node.addAttribute(attribute);
        }
        graph.addNode(node);
        return output;
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
