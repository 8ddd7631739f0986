package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

import dev.svertka.train.event.TrainingListener;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.model.DeepCnn;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;

class FineTuningTest {

    private final Trainer trainer = new Trainer(TrainingListener.NONE);

    @Test
    void frozenLayersIncludingBatchNormStatisticsDoNotChangeAndTheRestDoes() throws Exception {
        LabeledImages digits = SyntheticDigits.generate(200, 5);
        LabeledImages newClasses = digits.classRange(5, 10, 10);
        ComputationGraph base = Graphs.of(Presets.build(DeepCnn.NAME, digits.shape(), 5, 1));
        // layers 0-5: conv, BN, conv, BN, max-pool, dropout; the new head on dropout_3 replaces the output layer only
        ComputationGraph tuned = FineTuning.prepare(base, digits.shape(), 5, "dropout_1", "dropout_3", new Adam(1e-3), 1);
        assertThat(FineTuning.frozenLayers(tuned)).isEqualTo(6);
        Map<String, INDArray> before = copy(tuned.paramTable());

        trainer.fit(tuned, newClasses, null, new Trainer.Options(1, 25, 1));

        Map<String, INDArray> after = tuned.paramTable();
        assertThat(after.get("batch_normalization_1_1_mean")).as("frozen BN moving mean")
                .isEqualTo(before.get("batch_normalization_1_1_mean"));
        assertThat(after.get("batch_normalization_1_1_var")).as("frozen BN moving variance")
                .isEqualTo(before.get("batch_normalization_1_1_var"));
        assertThat(after.get("batch_normalization_1_2_gamma")).as("frozen BN scale")
                .isEqualTo(before.get("batch_normalization_1_2_gamma"));
        assertThat(after.get("conv2d_1_1_W")).as("frozen conv").isEqualTo(before.get("conv2d_1_1_W"));
        assertThat(after.get("conv2d_1_2_W")).as("frozen conv").isEqualTo(before.get("conv2d_1_2_W"));
        assertThat(after.get("conv2d_2_1_W")).as("trainable conv").isNotEqualTo(before.get("conv2d_2_1_W"));
        assertThat(after.get("batch_normalization_2_1_mean")).as("trainable BN statistics")
                .isNotEqualTo(before.get("batch_normalization_2_1_mean"));

        ComputationGraph unfrozen = FineTuning.unfreeze(tuned, new Adam(1e-4));
        assertThat(FineTuning.frozenLayers(unfrozen)).isZero();
        assertThat(unfrozen.params()).isEqualTo(tuned.params());
        assertThat(unfrozen.getEpochCount()).isEqualTo(1);
        trainer.fit(unfrozen, newClasses, null, new Trainer.Options(2, 25, 1));
        assertThat(unfrozen.paramTable().get("conv2d_1_1_W")).as("trainable again")
                .isNotEqualTo(before.get("conv2d_1_1_W"));
    }

    @Test
    void layersAreNamedOrNumberedAndTheNewHeadCannotBeFrozen() {
        ComputationGraph seed = Graphs.of(Presets.build(SeedCnn.NAME, SyntheticDigits.SHAPE, 10, 1));
        assertThat(FineTuning.layerIndex(seed, "max_pooling2d")).isEqualTo(2);
        assertThat(FineTuning.layerIndex(seed, "4")).isEqualTo(4);
        assertThatThrownBy(() -> FineTuning.layerIndex(seed, "conv9")).hasMessageContaining("no vertex 'conv9'")
                .hasMessageContaining("0=conv2d_1");
        assertThatThrownBy(() -> FineTuning.prepare(seed, SyntheticDigits.SHAPE, 3, "predictions", null,
                new Adam(1e-3), 1)).hasMessageContaining("would freeze the new head");
        ComputationGraph tuned = FineTuning.prepare(seed, SyntheticDigits.SHAPE, 3, null, null, new Adam(1e-3), 1);
        assertThat(tuned.outputSingle(org.nd4j.linalg.factory.Nd4j.rand(new int[] {2, 1, 28, 28})).shape())
                .containsExactly(2, 3);
        assertThat(FineTuning.frozenLayers(tuned)).isZero();
    }

    @Test
    void fineTuningAPretrainedNetBeatsTrainingFromScratchOnFewImages() throws Exception {
        LabeledImages pool = SyntheticDigits.generate(3000, 11);
        LabeledImages pretrainSet = pool.classRange(0, 5, 400);
        LabeledImages few = pool.classRange(5, 10, 10); // 10 labelled images per new class
        LabeledImages test = SyntheticDigits.generate(1000, 12).classRange(5, 10, 100);

        ComputationGraph pretrained = Graphs.of(Presets.build(SeedCnn.NAME, pool.shape(), 5, 1));
        trainer.fit(pretrained, pretrainSet, null, new Trainer.Options(3, 32, 1));
        ComputationGraph tuned = FineTuning.prepare(pretrained, pool.shape(), 5, "dropout_1", "dropout_2",
                new Adam(1e-3), 2);
        trainer.fit(tuned, few, null, new Trainer.Options(10, 10, 2));

        ComputationGraph scratch = Graphs.of(Presets.build(SeedCnn.NAME, pool.shape(), 5, 2));
        trainer.fit(scratch, few, null, new Trainer.Options(10, 10, 2));

        double tunedAccuracy = Evaluation.of(tuned, test, 250).accuracy();
        double scratchAccuracy = Evaluation.of(scratch, test, 250).accuracy();
        System.out.printf("transfer 0-4 -> 5-9 with 10 images/class: fine-tuned %.3f, from scratch %.3f%n",
                tunedAccuracy, scratchAccuracy);
        assertThat(tunedAccuracy).isGreaterThan(scratchAccuracy + 0.03);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> table) {
        Map<String, INDArray> out = new java.util.HashMap<>();
        table.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
