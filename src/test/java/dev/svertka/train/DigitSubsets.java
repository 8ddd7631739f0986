package dev.svertka.train;

import java.util.stream.IntStream;

import dev.svertka.data.LabeledImages;

/** Parts of the synthetic digits for transfer-learning tests: some classes, some images per class. */
final class DigitSubsets {

    private DigitSubsets() {
    }

    /** The images of classes {@code from..to-1}, relabelled 0..to-from-1, at most {@code perClass} of each. */
    static LabeledImages classes(LabeledImages images, int from, int to, int perClass) {
        int[] taken = new int[images.classes()];
        int[] picked = IntStream.range(0, images.size()).filter(i -> {
            int label = images.labels()[i];
            return label >= from && label < to && taken[label]++ < perClass;
        }).toArray();
        LabeledImages subset = images.select(picked);
        int[] labels = IntStream.of(subset.labels()).map(l -> l - from).toArray();
        return new LabeledImages(subset.shape(), subset.pixels(), labels,
                subset.classNames().subList(from, to));
    }
}
