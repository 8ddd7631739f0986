package dev.svertka.model;

import dev.svertka.card.InputShape;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ModelSummaryTest {

    private static final InputShape MNIST = new InputShape(1, 28, 28);

    @Test
    void seedCnnHasTheKerasParameterCounts() {
        ModelSummary summary = ModelSummary.of(Presets.build(SeedCnn.NAME, MNIST, 10, 1), MNIST);

        assertThat(summary.rows()).extracting(ModelSummary.Row::params)
                .containsExactly(80L, 1168L, 0L, 0L, 0L, 295040L, 0L, 1290L);
        assertThat(summary.rows()).extracting(ModelSummary.Row::type)
                .containsExactly("Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dropout", "Dense");
        assertThat(summary.totalParams()).isEqualTo(297_578L);
        assertThat(summary.table()).contains("Total params: 297,578").contains("(None, 2304)")
                .contains("Non-trainable params: 0");
    }

    @Test
    void outputShapesFollowTheLayers() {
        ModelSummary summary = ModelSummary.of(Presets.build(SeedCnn.NAME, MNIST, 10, 1), MNIST);

        assertThat(summary.rows()).extracting(ModelSummary.Row::outputShape).containsExactly(
                "(None, 8, 26, 26)", "(None, 16, 24, 24)", "(None, 16, 12, 12)", "(None, 16, 12, 12)",
                "(None, 2304)", "(None, 128)", "(None, 128)", "(None, 10)");
    }

    @Test
    void classCountAndInputSizeChangeTheHeadAndDense() {
        InputShape rgb = new InputShape(3, 32, 32);
        ModelSummary summary = ModelSummary.of(Presets.build(SeedCnn.NAME, rgb, 5, 1), rgb);

        List<Long> params = summary.rows().stream().map(ModelSummary.Row::params).toList();
        assertThat(params.get(0)).isEqualTo(3 * 9 * 8 + 8);
        assertThat(params.get(5)).isEqualTo(16 * 14 * 14 * 128 + 128);
        assertThat(params.get(7)).isEqualTo(128 * 5 + 5);
    }

    @Test
    void unknownPresetIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Presets.named("resnet-9000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resnet-9000").hasMessageContaining(SeedCnn.NAME);
    }
}
