package dev.svertka.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class SplitsTest {

    @Test
    void aStratifiedSplitHoldsOutTheSameShareOfEveryClass() {
        // sorted by class, as class folders are: the last 20% would be class 9 only
        LabeledImages digits = SyntheticDigits.generate(1000, 3);
        int[] sorted = java.util.stream.IntStream.range(0, digits.size()).boxed()
                .sorted(java.util.Comparator.comparingInt(i -> digits.labels()[i])).mapToInt(i -> i).toArray();
        LabeledImages byClass = digits.select(sorted);

        Splits.Holdout split = Splits.stratified(byClass, 0.2, 7);

        int[] all = counts(byClass);
        int[] held = counts(split.validation());
        for (int c = 0; c < 10; c++) {
            assertThat(held[c]).as("class %d", c).isEqualTo(Math.round(all[c] * 0.2f));
        }
        assertThat(split.train().size() + split.validation().size()).isEqualTo(1000);
        assertThat(counts(Splits.last(byClass, 0.2).validation())[0]).as("the Keras-style split holds out no 0s")
                .isZero();
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        LabeledImages digits = SyntheticDigits.generate(300, 3);
        Splits.Holdout a = Splits.stratified(digits, 0.25, 1);
        assertThat(Splits.stratified(digits, 0.25, 1).validation().pixels()).isEqualTo(a.validation().pixels());
        assertThat(Splits.stratified(digits, 0.25, 2).validation().pixels()).isNotEqualTo(a.validation().pixels());
        // training and validation images are disjoint and together the whole set
        byte[] joined = new byte[digits.pixels().length];
        System.arraycopy(a.train().pixels(), 0, joined, 0, a.train().pixels().length);
        System.arraycopy(a.validation().pixels(), 0, joined, a.train().pixels().length, a.validation().pixels().length);
        assertThat(sortedImages(joined, digits.shape().pixels())).isEqualTo(sortedImages(digits.pixels(),
                digits.shape().pixels()));
    }

    private static int[] counts(LabeledImages images) {
        int[] counts = new int[images.classes()];
        for (int label : images.labels()) {
            counts[label]++;
        }
        return counts;
    }

    private static String[] sortedImages(byte[] pixels, int size) {
        String[] images = new String[pixels.length / size];
        for (int i = 0; i < images.length; i++) {
            images[i] = Arrays.toString(Arrays.copyOfRange(pixels, i * size, (i + 1) * size));
        }
        Arrays.sort(images);
        return images;
    }
}
