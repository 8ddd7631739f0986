package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Sgd;

import dev.svertka.data.Augmentation;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;
import dev.svertka.train.event.TrainingEvent;
import dev.svertka.train.event.TrainingEvent.DataProgress;

/** A frozen part run once per image: the same training as full passes, and the trainer says which it does. */
class FeatureCacheTest {

    private final LabeledImages digits = SyntheticDigits.generate(96, 3);

    /**
     * seed-cnn with conv2d_1 frozen; the head reads the pooled maps (no dropout in the trained part). Plain SGD:
     * Adam's first steps are about lr * sign(gradient), which rounding can flip where a gradient is nearly 0.
     */
    private ComputationGraph tuned() {
        ComputationGraph base = Graphs.of(Presets.build(SeedCnn.NAME, digits.shape(), 10, 1));
        return FineTuning.prepare(base, digits.shape(), 10, "conv2d_1", "max_pooling2d", new Sgd(0.1), 7);
    }

    @Test
    void trainingOnCachedFeaturesGivesTheWeightsFullPassesGive() throws Exception {
        ComputationGraph cached = tuned();
        ComputationGraph full = tuned();
        assertThat(cached.params()).isEqualTo(full.params());
        String frozen = "conv2d_1_W";
        var before = cached.paramTable().get(frozen).dup();

        // one batch per epoch: the same gradient whatever order the images come in
        List<Trainer.EpochMetrics> cachedHistory = new Trainer(event -> { }).fit(cached, digits, null,
                new Trainer.Options(3, digits.size(), 1, Augmentation.NONE, 0, null, true));
        List<Trainer.EpochMetrics> fullHistory = new Trainer(event -> { }).fit(full, digits, null,
                new Trainer.Options(3, digits.size(), 1, Augmentation.NONE, 0, null, false));

        assertThat(cached.paramTable().get(frozen)).isEqualTo(before);
        assertThat(cached.params()).isNotEqualTo(tuned().params());
        double largest = cached.params().sub(full.params()).amaxNumber().doubleValue();
        assertThat(largest).as("largest parameter difference").isLessThan(1e-4);
        assertThat(cached.getEpochCount()).isEqualTo(3);
        for (int e = 0; e < 3; e++) {
            assertThat(cachedHistory.get(e).loss()).isCloseTo(fullHistory.get(e).loss(),
                    org.assertj.core.api.Assertions.within(1e-4));
            assertThat(cachedHistory.get(e).accuracy()).isEqualTo(fullHistory.get(e).accuracy());
        }
    }

    @Test
    void featurizingShowsProgressAndAugmentationMakesFullPassesSayingWhy() throws Exception {
        List<TrainingEvent> events = new ArrayList<>();
        LabeledImages validation = SyntheticDigits.generate(20, 4);

        new Trainer(events::add).fit(tuned(), digits, validation,
                new Trainer.Options(1, 32, 1, Augmentation.NONE, 0, null, true));

        assertThat(events).filteredOn(DataProgress.class::isInstance).map(DataProgress.class::cast)
                .extracting(DataProgress::done).startsWith(0L).endsWith((long) digits.size() + validation.size());
        assertThat(events).extracting(TrainingEvent::text)
                .anyMatch(text -> text.contains("Frozen layers run once per image"));

        events.clear();
        new Trainer(events::add).fit(tuned(), digits, null,
                new Trainer.Options(1, 32, 1, Augmentation.parse("horizontal_flip=true"), 0, null, true));

        assertThat(events).noneMatch(DataProgress.class::isInstance);
        assertThat(events).extracting(TrainingEvent::text)
                .anyMatch(text -> text.contains("Frozen layers run in every pass (augmentation changes the images"));
    }
}
