package dev.svertka.model;

import dev.svertka.card.InputShape;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class PresetsTest {

    private static final InputShape MNIST = new InputShape(1, 28, 28);

    @Test
    void theDeepPresetHasBatchNormAndItsMovingStatisticsAreNotTrainable() {
        ModelSummary summary = ModelSummary.of(Presets.build(DeepCnn.NAME, MNIST, 10, 1), MNIST);

        assertThat(summary.rows()).extracting(ModelSummary.Row::type).containsSubsequence("Conv2D",
                "BatchNormalization", "Conv2D", "BatchNormalization", "MaxPooling2D", "Dropout", "Flatten", "Dense");
        // 4 BN layers of 32, 32, 64, 64 channels: mean and variance are 2 x 192 non-trainable numbers
        assertThat(summary.nonTrainableParams()).isEqualTo(2 * 192);
        assertThat(summary.totalParams()).isEqualTo(871_402L);
        assertThat(summary.rows().stream().filter(r -> r.name().equals("flatten")).findFirst().orElseThrow()
                .outputShape()).isEqualTo("(None, 3136)");
        assertThat(summary.table()).contains("Non-trainable params: 384");
    }

    @Test
    void theSequencePresetReadsSequencesOfAnyLengthWithOneDimensionalLayers() {
        InputShape dna = new InputShape(1, 4, 200); // one-hot bases, 200 long
        SeqCnn preset = (SeqCnn) Presets.named(SeqCnn.NAME);
        MultiLayerNetwork network = Presets.build(SeqCnn.NAME, dna, 3, 1);

        ModelSummary summary = ModelSummary.of(network, preset.inputType(dna));
        assertThat(summary.rows()).extracting(ModelSummary.Row::type).containsExactly("Conv1D", "MaxPooling1D",
                "Conv1D", "GlobalMaxPooling", "Dense", "Dense");
        assertThat(summary.rows().get(0).params()).isEqualTo(4 * 5 * 32 + 32);
        assertThat(network.output(Nd4j.rand(2, 4, 200)).shape()).containsExactly(2, 3);
        assertThat(network.output(Nd4j.rand(2, 4, 57)).shape()).as("another length").containsExactly(2, 3);
    }

    @Test
    void theSequencePresetLearnsMotifShapesAnywhereInASequence() {
        // class = the shape of a short motif anywhere in noise: a bump, a dip, or a zigzag
        java.util.Random random = new java.util.Random(3);
        int n = 120;
        int length = 32;
        INDArray features = Nd4j.zeros(n, 1, length);
        INDArray labels = Nd4j.zeros(n, 3);
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            int at = random.nextInt(length - 4);
            for (int t = 0; t < length; t++) {
                double motif = t < at || t >= at + 4 ? 0 : label == 0 ? 1 : label == 1 ? -1 : (t - at) % 2 == 0 ? 1 : -1;
                features.putScalar(new int[] {i, 0, t}, 0.2 * random.nextGaussian() + motif);
            }
            labels.putScalar(i, label, 1);
        }
        MultiLayerNetwork network = Presets.build(SeqCnn.NAME, new InputShape(1, 1, length), 3, 1);
        DataSet data = new DataSet(features, labels);
        for (int epoch = 0; epoch < 40; epoch++) {
            network.fit(data);
        }
        org.nd4j.evaluation.classification.Evaluation eval = network.evaluate(
                new org.deeplearning4j.datasets.iterator.ExistingDataSetIterator(java.util.List.of(data)));
        assertThat(eval.accuracy()).as("training accuracy, 3 classes").isGreaterThan(0.85);
    }
}
