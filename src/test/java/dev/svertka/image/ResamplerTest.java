package dev.svertka.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ResamplerTest {

    @Test
    void aWindowIsThatPartOfTheWholeResize() {
        float[] plane = new float[640 * 480];
        Random random = new Random(3);
        for (int i = 0; i < plane.length; i++) {
            plane[i] = random.nextInt(256);
        }
        float[] whole = Resampler.resize(plane, 640, 480, 341, 256);
        float[] window = new float[2 * 224 * 224];
        Resampler.plan(640, 480, 341, 256, 58, 16, 224, 224).apply(plane, window, 224 * 224);

        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                assertThat(window[224 * 224 + y * 224 + x]).as("(%d, %d)", x, y).isEqualTo(whole[(16 + y) * 341 + 58 + x]);
            }
        }
        assertThat(window).startsWith(new float[224 * 224]); // nothing written before the offset
    }

    @Test
    void shrinkingAveragesNeighboursAndTheSameSizeCopies() {
        float[] stripes = new float[40 * 2];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = i % 2 == 0 ? 0 : 200;
        }
        // a 5x shrink spans both stripes: grey, where sampling would give 0 or 200
        for (float value : Resampler.resize(stripes, 40, 2, 8, 1)) {
            assertThat(value).isBetween(80f, 120f);
        }
        assertThat(Resampler.resize(stripes, 40, 2, 40, 2)).containsExactly(stripes);
    }

    @Test
    void aWindowOutsideTheResizedPictureIsRefused() {
        assertThatThrownBy(() -> Resampler.plan(640, 480, 341, 256, 200, 0, 224, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside 341x256");
    }
}
