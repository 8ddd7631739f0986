package dev.svertka.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.svertka.card.InputShape;

class LabeledImagesTest {

    /** Image i is 2x1 pixels both of value i, so an image shows where it came from. */
    private static LabeledImages images(int... labels) {
        byte[] pixels = new byte[labels.length * 2];
        for (int i = 0; i < labels.length; i++) {
            pixels[2 * i] = (byte) i;
            pixels[2 * i + 1] = (byte) i;
        }
        return new LabeledImages(new InputShape(1, 1, 2), pixels, labels, List.of("a", "b", "c", "d"));
    }

    @Test
    void classRangeKeepsTheFirstImagesOfEachChosenClassRelabelledFromZero() {
        LabeledImages all = images(0, 2, 1, 3, 2, 1, 2, 3, 0, 1);

        LabeledImages part = all.classRange(1, 3, 2);

        assertThat(part.classNames()).containsExactly("b", "c");
        // in their original order: images 1 (c), 2 (b), 4 (c), 5 (b); 6 (c) and 9 (b) are beyond 2 per class
        assertThat(part.labels()).containsExactly(1, 0, 1, 0);
        assertThat(part.pixels()).containsExactly(1, 1, 2, 2, 4, 4, 5, 5);
        assertThat(all.classRange(0, 4, Integer.MAX_VALUE).labels()).containsExactly(all.labels());
    }

    @Test
    void aRangeOutsideTheClassesIsRefused() {
        LabeledImages all = images(0, 1, 2, 3);
        assertThatThrownBy(() -> all.classRange(2, 5, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 classes");
        assertThatThrownBy(() -> all.classRange(2, 2, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> all.classRange(0, 2, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
