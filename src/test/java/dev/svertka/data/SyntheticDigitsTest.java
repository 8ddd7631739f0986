package dev.svertka.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.svertka.card.InputShape;

class SyntheticDigitsTest {

    @Test
    void sameSeedGivesTheSameBytes() {
        LabeledImages first = SyntheticDigits.generate(500, 42);
        LabeledImages second = SyntheticDigits.generate(500, 42);

        assertThat(second.pixels()).isEqualTo(first.pixels());
        assertThat(second.labels()).isEqualTo(first.labels());
    }

    @Test
    void otherSeedGivesOtherImages() {
        assertThat(SyntheticDigits.generate(50, 2).pixels()).isNotEqualTo(SyntheticDigits.generate(50, 1).pixels());
    }

    @Test
    void looksLikeMnist() {
        LabeledImages digits = SyntheticDigits.generate(20, 1);

        assertThat(digits.shape()).isEqualTo(new InputShape(1, 28, 28));
        assertThat(digits.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    @Test
    void classesAreBalancedAndShuffled() {
        LabeledImages digits = SyntheticDigits.generate(1005, 7);

        int[] counts = new int[10];
        for (int label : digits.labels()) {
            counts[label]++;
        }
        assertThat(counts).containsExactly(101, 101, 101, 101, 101, 100, 100, 100, 100, 100);
        assertThat(Arrays.copyOf(digits.labels(), 10)).isNotEqualTo(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    }

    @Test
    void everyImageHoldsSomeInkOnADarkBackground() {
        LabeledImages digits = SyntheticDigits.generate(300, 3);

        for (int i = 0; i < digits.size(); i++) {
            byte[] image = digits.image(i);
            assertThat(countAbove(image, 64)).as("inked pixels of image %d", i).isBetween(8L, 500L);
            assertThat(mean(image)).as("mean of image %d", i).isLessThan(150);
        }
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < digits.size(); i++) {
            distinct.add(Arrays.toString(digits.image(i)));
        }
        assertThat(distinct).hasSize(digits.size());
    }

    @Test
    void imagesDependOnTheirLabel() {
        LabeledImages digits = SyntheticDigits.generate(2000, 5);
        double[][] means = new double[10][784];
        int[] counts = new int[10];
        for (int i = 0; i < digits.size(); i++) {
            byte[] image = digits.image(i);
            int label = digits.labels()[i];
            counts[label]++;
            for (int p = 0; p < image.length; p++) {
                means[label][p] += image[p] & 0xFF;
            }
        }
        for (int label = 0; label < 10; label++) {
            for (int p = 0; p < 784; p++) {
                means[label][p] /= counts[label];
            }
        }
        // The average 1 is a thin upright bar, the average 0 a ring: far apart in pixel space.
        double oneVersusZero = distance(means[1], means[0]);
        assertThat(oneVersusZero).isGreaterThan(500);
        assertThat(means[0][14 * 28 + 14]).as("centre of the average 0").isLessThan(means[1][14 * 28 + 14]);
    }

    @Test
    void zeroImagesIsEmptyAndNegativeIsRefused() {
        assertThat(SyntheticDigits.generate(0, 1).size()).isZero();
        assertThatThrownBy(() -> SyntheticDigits.generate(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static long countAbove(byte[] image, int threshold) {
        long count = 0;
        for (byte b : image) {
            if ((b & 0xFF) > threshold) {
                count++;
            }
        }
        return count;
    }

    private static double mean(byte[] image) {
        double sum = 0;
        for (byte b : image) {
            sum += b & 0xFF;
        }
        return sum / image.length;
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }
}
