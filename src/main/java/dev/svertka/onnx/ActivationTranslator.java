package dev.svertka.onnx;

import static dev.svertka.onnx.OnnxGraph.integer;
import static dev.svertka.onnx.OnnxGraph.real;

import java.util.List;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Appends a DL4J activation function to the current tensor: the one a layer applies after its own maths, or
 * the whole of an ActivationLayer.
 */
final class ActivationTranslator {

    static final String SUPPORTED = "relu (also capped, as relu6 or ReLU with a max), leakyrelu, elu, sigmoid, "
            + "tanh, identity, and softmax on flat outputs";

    private final OnnxGraph graph;

    ActivationTranslator(OnnxGraph graph) {
        this.graph = graph;
    }

    /**
     * @param out the type of the tensor it applies to
     * @return false if {@code fn} has no exact translation, leaving the graph unchanged
     */
    boolean apply(IActivation fn, InputType out, String name) {
        if (fn instanceof ActivationIdentity) {
            return true;
        }
        if (fn instanceof ActivationReLU relu && isPlain(relu)) {
            if (relu.getMax() == null) {
                graph.apply("Relu", name);
            } else {
                clip(name, relu.getMax());
            }
        } else if (fn instanceof ActivationReLU6) {
            clip(name, 6.0);
        } else if (fn instanceof ActivationLReLU leaky) {
            graph.apply("LeakyRelu", name, real("alpha", leaky.getAlpha()));
        } else if (fn instanceof ActivationELU elu) {
            graph.apply("Elu", name, real("alpha", elu.getAlpha()));
        } else if (fn instanceof ActivationSigmoid) {
            graph.apply("Sigmoid", name);
        } else if (fn instanceof ActivationTanH) {
            graph.apply("Tanh", name);
        } else if (fn instanceof ActivationSoftmax && out instanceof InputTypeFeedForward) {
            // DL4J's softmax runs over the last axis, which for [batch, classes] is axis 1
            graph.apply("Softmax", name, integer("axis", 1));
        } else {
            return false;
        }
        return true;
    }

    /** min(max(x, 0), max): since opset 11 Clip takes its bounds as scalar inputs, not attributes. */
    private void clip(String name, double max) {
        graph.apply("Clip", name, List.of(graph.weights(name + "/clip_min", Nd4j.scalar(0f)),
                graph.weights(name + "/clip_max", Nd4j.scalar((float) max))));
    }

    /** DL4J's ReLU thresholds and slopes first, then caps at max: only the cap has a one-op translation. */
    private static boolean isPlain(ActivationReLU relu) {
        return (relu.getThreshold() == null || relu.getThreshold() == 0.0)
                && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0.0);
    }
}
