package dev.svertka.onnx;

import static dev.svertka.onnx.OnnxGraph.integer;
import static dev.svertka.onnx.OnnxGraph.ints;

import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Translates the parameterless vertices of a ComputationGraph: joins of branches (residual adds,
 * inception-style concatenation) and the scalings that Inception-ResNet and FaceNet put between layers.
 */
final class VertexTranslator {

    static final String SUPPORTED = "LayerVertex, PreprocessorVertex (flatten, unflatten), ElementWiseVertex, "
            + "MergeVertex, ScaleVertex, ShiftVertex and L2NormalizeVertex over flat features";

    private final OnnxGraph graph;

    VertexTranslator(OnnxGraph graph) {
        this.graph = graph;
    }

    /** Appends {@code vertex} applied to the tensors {@code inputs} of types {@code types}; ONNX maps are NCHW. */
    void translate(LayerTranslator.Site site, GraphVertex vertex, List<String> inputs, InputType[] types) {
        String name = site.name();
        if (vertex instanceof MergeVertex merge) {
            if (merge.isModified()) {
                throw site.unsupportedVertex(vertex,
                        "a merge along a chosen axis is not supported, only along channels");
            }
            graph.join("Concat", name, inputs, integer("axis", 1));
        } else if (vertex instanceof ElementWiseVertex elementWise) {
            elementWise(site, elementWise, inputs);
        } else if (vertex instanceof ScaleVertex scale) {
            graph.use(inputs.get(0));
            graph.apply("Mul", name, List.of(scalar(name + "/scale", scale.getScaleFactor())));
        } else if (vertex instanceof ShiftVertex shift) {
            graph.use(inputs.get(0));
            graph.apply("Add", name, List.of(scalar(name + "/shift", shift.getShiftFactor())));
        } else if (vertex instanceof L2NormalizeVertex normalize) {
            l2Normalize(site, normalize, inputs.get(0), types[0]);
        } else {
            throw site.unsupportedVertex(vertex, "vertex type not supported; supported are " + SUPPORTED);
        }
    }

    private void elementWise(LayerTranslator.Site site, ElementWiseVertex vertex, List<String> inputs) {
        String name = site.name();
        switch (vertex.getOp()) {
            case Add -> graph.join("Sum", name, inputs);
            case Average -> graph.join("Mean", name, inputs);
            case Max -> graph.join("Max", name, inputs);
            case Subtract -> graph.join("Sub", name, inputs);
            case Product -> {
                graph.use(inputs.get(0));
                for (String factor : inputs.subList(1, inputs.size())) {
                    graph.apply("Mul", name, List.of(factor));
                }
            }
            default -> throw site.unsupportedVertex(vertex, "operation " + vertex.getOp() + " is not supported");
        }
    }

    /** DL4J divides by max(||x||, eps), the norm over each sample's features. */
    private void l2Normalize(LayerTranslator.Site site, L2NormalizeVertex vertex, String input, InputType type) {
        int[] dimensions = vertex.getDimension();
        boolean allFeatures = dimensions == null || dimensions.length == 0
                || dimensions.length == 1 && dimensions[0] == 1;
        if (!(type instanceof InputTypeFeedForward) || !allFeatures) {
            throw site.unsupportedVertex(vertex, "only L2 normalization of flat [batch, features] inputs over the "
                    + "features is supported, not of " + type + " over " + Arrays.toString(dimensions));
        }
        String name = site.name();
        graph.use(input);
        graph.apply("ReduceL2", name, ints("axes", 1), integer("keepdims", 1));
        graph.apply("Max", name, List.of(scalar(name + "/eps", vertex.getEps())));
        graph.join("Div", name, List.of(input, graph.current()));
    }

    private String scalar(String name, double value) {
        return graph.weights(name, Nd4j.scalar((float) value));
    }
}
