package dev.svertka.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import dev.svertka.card.InputShape;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;
import dev.svertka.train.Evaluation;
import dev.svertka.train.Graphs;

/** The report's numbers are the evaluation's, not a second count. */
class ReportDataTest {

    private static final InputShape DOT = new InputShape(1, 1, 1);

    private static LabeledImages labelled(int... labels) {
        return new LabeledImages(DOT, new byte[labels.length], labels, List.of("a", "b", "c"));
    }

    @Test
    void scoresAndMisclassifiedComeFromTheEvaluationsPredictions() {
        LabeledImages test = labelled(0, 0, 0, 1, 1, 2);
        int[] predicted = {0, 0, 1, 1, 2, 2};
        long[][] confusion = {{2, 1, 0}, {0, 1, 1}, {0, 0, 1}};
        Evaluation evaluation = new Evaluation(6, 0.5, 4 / 6.0, confusion, predicted);

        ReportData data = ReportData.of(List.of(), test, evaluation);

        assertThat(data.confusion()).isSameAs(confusion);
        assertThat(data.correct()).isEqualTo(4);
        assertThat(data.misclassified()).containsExactly(2, 4);
        assertThat(data.classScores()).extracting(ReportData.ClassScore::support).containsExactly(3L, 2L, 1L);
        ReportData.ClassScore b = data.classScores().get(1);
        assertThat(b.precision()).isCloseTo(0.5, offset(1e-12));
        assertThat(b.recall()).isCloseTo(0.5, offset(1e-12));
        assertThat(b.f1()).isCloseTo(0.5, offset(1e-12));
        ReportData.ClassScore c = data.classScores().get(2);
        assertThat(c.precision()).isCloseTo(0.5, offset(1e-12));
        assertThat(c.recall()).isEqualTo(1.0);
        assertThat(c.f1()).isCloseTo(2 / 3.0, offset(1e-12));
    }

    @Test
    void aClassNeverPredictedNorPresentScoresZeroNotNaN() {
        ReportData data = ReportData.of(List.of(), labelled(0, 1),
                new Evaluation(2, 0.1, 1, new long[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 0}}, new int[] {0, 1}));

        assertThat(data.classScores().get(2)).isEqualTo(new ReportData.ClassScore(0, 0, 0, 0));
    }

    @Test
    void theGalleryShowsTheFirstMisclassifiedOnly() {
        int n = ReportData.MISCLASSIFIED_SHOWN + 5;
        int[] labels = new int[n];
        int[] predicted = IntStream.range(0, n).map(i -> 1).toArray();
        ReportData data = ReportData.of(List.of(), labelled(labels),
                new Evaluation(n, 1, 0, new long[][] {{0, n, 0}, {0, 0, 0}, {0, 0, 0}}, predicted));

        assertThat(data.misclassified()).hasSize(n);
        assertThat(data.shownMisclassified()).hasSize(ReportData.MISCLASSIFIED_SHOWN).startsWith(0, 1, 2);
    }

    @Test
    void anEvaluationOfOtherImagesIsRefused() {
        Evaluation ofFive = new Evaluation(5, 0, 1, new long[3][3], new int[5]);

        assertThatThrownBy(() -> ReportData.of(List.of(), labelled(0, 1, 2), ofFive))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("covers 5 images").hasMessageContaining("test set has 3");
    }

    @Test
    void anEvaluationsPredictionsAddUpToItsConfusionMatrix() {
        LabeledImages test = SyntheticDigits.generate(300, 11);
        MultiLayerNetwork network = Presets.build(SeedCnn.NAME, test.shape(), test.classes(), 3);

        Evaluation evaluation = Evaluation.of(Graphs.of(network), test, 64);
        ReportData data = ReportData.of(List.of(), test, evaluation);

        long[][] recounted = new long[test.classes()][test.classes()];
        for (int i = 0; i < test.size(); i++) {
            recounted[test.labels()[i]][evaluation.predicted()[i]]++;
        }
        assertThat(data.confusion()).isDeepEqualTo(recounted);
        assertThat(data.correct() + data.misclassified().size()).isEqualTo(test.size());
        assertThat((double) data.correct() / test.size()).isEqualTo(evaluation.accuracy());
        assertThat(data.classScores().stream().mapToLong(ReportData.ClassScore::support).sum()).isEqualTo(test.size());
    }
}
