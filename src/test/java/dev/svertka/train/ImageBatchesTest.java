package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import dev.svertka.data.LabeledImages;
import dev.svertka.card.InputShape;

class ImageBatchesTest {

    /** 10 tiny 1x2x2 images; image i has every pixel equal to 10*i and label i % 3. */
    private static LabeledImages tiny() {
        int n = 10;
        byte[] pixels = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 4; p++) {
                pixels[i * 4 + p] = (byte) (10 * i);
            }
            labels[i] = i % 3;
        }
        return new LabeledImages(new InputShape(1, 2, 2), pixels, labels, List.of("a", "b", "c"));
    }

    @Test
    void batchesAreNchwScaledWithOneHotLabels() {
        ImageBatches batches = ImageBatches.inOrder(tiny(), 4);

        DataSet first = batches.next();
        assertThat(first.getFeatures().shape()).containsExactly(4, 1, 2, 2);
        assertThat(first.getLabels().shape()).containsExactly(4, 3);
        assertThat(first.getFeatures().getFloat(3, 0, 1, 1)).isCloseTo(30 / 255f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(first.getLabels().getRow(3).toFloatVector()).containsExactly(1f, 0f, 0f);
        assertThat(first.getLabels().getRow(2).toFloatVector()).containsExactly(0f, 0f, 1f);

        batches.next();
        DataSet last = batches.next();
        assertThat(last.numExamples()).as("the remainder").isEqualTo(2);
        assertThat(batches.hasNext()).isFalse();
        assertThat(batches.batchesPerEpoch()).isEqualTo(3);
    }

    @Test
    void shuffledEpochsCoverEveryImageOnceInANewOrder() {
        ImageBatches batches = ImageBatches.shuffled(tiny(), 3, 42);
        List<Integer> firstEpoch = epoch(batches);
        batches.reset();
        List<Integer> secondEpoch = epoch(batches);

        assertThat(firstEpoch).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(secondEpoch).containsExactlyInAnyOrderElementsOf(firstEpoch);
        assertThat(secondEpoch).isNotEqualTo(firstEpoch);
    }

    @Test
    void theSameSeedGivesTheSameOrder() {
        assertThat(epoch(ImageBatches.shuffled(tiny(), 4, 7))).isEqualTo(epoch(ImageBatches.shuffled(tiny(), 4, 7)));
    }

    @Test
    void anExhaustedEpochMustBeReset() {
        ImageBatches batches = ImageBatches.inOrder(tiny(), 10);
        batches.next();
        assertThatThrownBy(batches::next).hasMessageContaining("reset");
    }

    /** The image indices of one epoch, recovered from the pixel values. */
    private static List<Integer> epoch(ImageBatches batches) {
        List<Integer> seen = new java.util.ArrayList<>();
        Set<Integer> unique = new HashSet<>();
        while (batches.hasNext()) {
            DataSet batch = batches.next();
            for (int i = 0; i < batch.numExamples(); i++) {
                int index = Math.round(batch.getFeatures().getFloat(i, 0, 0, 0) * 255 / 10);
                seen.add(index);
                unique.add(index);
            }
        }
        assertThat(unique).hasSameSizeAs(seen);
        return seen;
    }

    @Test
    void augmentedBatchesKeepTheOrderAndLabelsChangeThePixelsAndRepeatWithTheSeed() {
        LabeledImages digits = dev.svertka.data.SyntheticDigits.generate(40, 1);
        dev.svertka.data.Augmenter augmenter = new dev.svertka.data.Augmenter(
                dev.svertka.data.Augmentation.parse("rotation_range=20,width_shift_range=0.1"), digits.shape());
        ImageBatches plain = ImageBatches.shuffled(digits, 16, 3);
        ImageBatches augmented = ImageBatches.augmented(digits, 16, 3, augmenter);
        ImageBatches again = ImageBatches.augmented(digits, 16, 3, augmenter);

        DataSet p = plain.next();
        DataSet a = augmented.next();
        assertThat(a.getLabels()).as("labels unchanged, same order").isEqualTo(p.getLabels());
        assertThat(a.getFeatures()).isNotEqualTo(p.getFeatures());
        assertThat(again.next().getFeatures()).as("reproducible").isEqualTo(a.getFeatures());
        assertThat(a.getFeatures().minNumber().floatValue()).isGreaterThanOrEqualTo(0f);
        assertThat(a.getFeatures().maxNumber().floatValue()).isLessThanOrEqualTo(1f);

        plain.reset();
        augmented.reset();
        DataSet p2 = plain.next();
        DataSet a2 = augmented.next();
        assertThat(a2.getLabels()).isEqualTo(p2.getLabels());
        // the same image augmented differently in the next epoch
        assertThat(a2.getFeatures()).isNotEqualTo(a.getFeatures());
    }
}
