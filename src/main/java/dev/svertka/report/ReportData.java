package dev.svertka.report;

import java.util.ArrayList;
import java.util.List;

import dev.svertka.data.LabeledImages;
import dev.svertka.train.Evaluation;
import dev.svertka.train.Trainer;

/**
 * The numbers a report shows, taken from the {@link Evaluation} that training already ran on the test images:
 * no second inference pass.
 *
 * @param history       what each epoch measured; empty for an evaluation only
 * @param test          the images the evaluation ran on, in the same order
 * @param evaluation    its confusion matrix and each image's predicted class
 * @param classScores   per class, in class order
 * @param misclassified indices into {@code test} of the images predicted wrongly, in order
 */
record ReportData(List<Trainer.EpochMetrics> history, LabeledImages test, Evaluation evaluation,
                  List<ClassScore> classScores, List<Integer> misclassified) {

    /** How many misclassified images the gallery shows. */
    static final int MISCLASSIFIED_SHOWN = 40;

    /** One class's scores; {@code support} is how many test images are of the class. */
    record ClassScore(double precision, double recall, double f1, long support) {
    }

    static ReportData of(List<Trainer.EpochMetrics> history, LabeledImages test, Evaluation evaluation) {
        if (evaluation.samples() != test.size() || evaluation.predicted().length != test.size()
                || evaluation.confusion().length != test.classes()) {
            throw new IllegalArgumentException("the evaluation covers " + evaluation.samples() + " images of "
                    + evaluation.confusion().length + " classes, but the test set has " + test.size() + " of "
                    + test.classes());
        }
        List<Integer> misclassified = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            if (evaluation.predicted()[i] != test.labels()[i]) {
                misclassified.add(i);
            }
        }
        return new ReportData(List.copyOf(history), test, evaluation, classScores(evaluation.confusion()),
                List.copyOf(misclassified));
    }

    static List<ClassScore> classScores(long[][] confusion) {
        int n = confusion.length;
        List<ClassScore> scores = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            long tp = confusion[c][c];
            long predictedC = 0;
            long actualC = 0;
            for (int k = 0; k < n; k++) {
                predictedC += confusion[k][c];
                actualC += confusion[c][k];
            }
            double precision = predictedC == 0 ? 0 : (double) tp / predictedC;
            double recall = actualC == 0 ? 0 : (double) tp / actualC;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            scores.add(new ClassScore(precision, recall, f1, actualC));
        }
        return List.copyOf(scores);
    }

    long[][] confusion() {
        return evaluation.confusion();
    }

    /** Test images predicted right: the confusion matrix's diagonal. */
    long correct() {
        long correct = 0;
        for (int c = 0; c < confusion().length; c++) {
            correct += confusion()[c][c];
        }
        return correct;
    }

    /** The misclassified images the gallery shows: the first {@link #MISCLASSIFIED_SHOWN}. */
    List<Integer> shownMisclassified() {
        return misclassified.subList(0, Math.min(MISCLASSIFIED_SHOWN, misclassified.size()));
    }

    int predicted(int image) {
        return evaluation.predicted()[image];
    }
}
