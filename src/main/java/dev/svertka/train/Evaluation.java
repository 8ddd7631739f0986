package dev.svertka.train;

import java.util.function.Supplier;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.svertka.data.LabeledImages;

/**
 * Loss, accuracy, confusion matrix and each image's predicted class of a network on labelled images, in one
 * inference pass.
 *
 * @param confusion rows are true classes, columns predicted ones
 * @param predicted the predicted class of each image, in the images' order (the report shows the misclassified)
 */
public record Evaluation(int samples, double loss, double accuracy, long[][] confusion, int[] predicted) {

    private static final double EPSILON = 1e-7; // as Keras clips probabilities before the log

    public static Evaluation of(ComputationGraph network, LabeledImages images, int batchSize) {
        ImageBatches batches = ImageBatches.inOrder(images, batchSize);
        return of(() -> batches.hasNext() ? network.outputSingle(false, batches.next().getFeatures()) : null,
                images.labels(), images.classes());
    }

    /** From batches of probabilities for the images in order, as {@code next} gives them until it gives null. */
    static Evaluation of(Supplier<INDArray> next, int[] labels, int classes) {
        long[][] confusion = new long[classes][classes];
        int[] predicted = new int[labels.length];
        double lossSum = 0;
        long correct = 0;
        int offset = 0;
        for (INDArray probabilities = next.get(); probabilities != null; probabilities = next.get()) {
            long n = probabilities.rows();
            for (int i = 0; i < n; i++) {
                int truth = labels[offset + i];
                int guess = probabilities.getRow(i).argMax().getInt(0);
                predicted[offset + i] = guess;
                confusion[truth][guess]++;
                if (truth == guess) {
                    correct++;
                }
                lossSum -= Math.log(Math.max(EPSILON, probabilities.getDouble(i, truth)));
            }
            offset += n;
        }
        int samples = labels.length;
        return new Evaluation(samples, samples == 0 ? Double.NaN : lossSum / samples,
                samples == 0 ? Double.NaN : (double) correct / samples, confusion, predicted);
    }
}
