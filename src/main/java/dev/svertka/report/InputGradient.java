package dev.svertka.report;

import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of a graph's loss with respect to its input images, which DL4J 1.0.0-M2.1's ComputationGraph does
 * not give (its backward pass drops the input's epsilon; MultiLayerNetwork's calculateGradients returns it): a
 * forward pass in training mode, as calculateGradients runs it, then every vertex's backward pass in reverse order,
 * summing the epsilons of a vertex that feeds several others. Needs a graph without frozen layers.
 */
final class InputGradient {

    private InputGradient() {
    }

    /** d loss / d input for a batch of {@code input} with one-hot {@code labels}, shaped as the input. */
    static INDArray of(ComputationGraph graph, INDArray input, INDArray labels) {
        if (graph.getGradientsViewArray() == null) {
            graph.initGradientsView(); // a graph never trained (a thawed copy) has no place for gradients yet
        }
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
        GraphVertex[] vertices = graph.getVertices();
        int[] order = graph.topologicalSortOrder();
        INDArray[] outputs = new INDArray[vertices.length];
        graph.setInputs(input); // preprocessors read the batch size from the graph's input
        try {
            for (int index : order) {
                GraphVertex vertex = vertices[index];
                if (vertex.isInputVertex()) {
                    outputs[index] = input;
                    continue;
                }
                VertexIndices[] from = vertex.getInputVertices();
                for (int i = 0; i < from.length; i++) {
                    vertex.setInput(i, outputs[from[i].getVertexIndex()], workspaces);
                }
                if (vertex.isOutputVertex() && vertex.getLayer() instanceof IOutputLayer output) {
                    output.setLabels(labels);
                }
                outputs[index] = vertex.doForward(true, workspaces);
            }
            INDArray[] epsilons = new INDArray[vertices.length];
            int inputIndex = -1;
            for (int k = order.length - 1; k >= 0; k--) {
                GraphVertex vertex = vertices[order[k]];
                if (vertex.isInputVertex()) {
                    inputIndex = order[k];
                    continue;
                }
                if (!vertex.isOutputVertex()) {
                    vertex.setEpsilon(epsilons[order[k]]);
                }
                INDArray[] toInputs = vertex.doBackward(false, workspaces).getSecond();
                VertexIndices[] from = vertex.getInputVertices();
                for (int i = 0; i < from.length; i++) {
                    int source = from[i].getVertexIndex();
                    // copied: a sum hands every input the same array, which a layer's backward pass may change in
                    // place, and clear() below releases what the vertices hold
                    epsilons[source] = epsilons[source] == null ? toInputs[i].dup() : epsilons[source].add(toInputs[i]);
                }
            }
            return epsilons[inputIndex];
        } finally {
            graph.clear();
            graph.clearLayersStates();
        }
    }
}
