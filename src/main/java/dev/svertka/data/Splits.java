package dev.svertka.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Ways to hold out validation images from a training set. */
public final class Splits {

    /** Training and held-out images. */
    public record Holdout(LabeledImages train, LabeledImages validation) {
    }

    private Splits() {
    }

    /** The last {@code fraction} of the images, in their order, as Keras' {@code validation_split} does. */
    public static Holdout last(LabeledImages images, double fraction) {
        int validationSize = (int) Math.round(images.size() * fraction);
        return new Holdout(images.slice(0, images.size() - validationSize),
                images.slice(images.size() - validationSize, images.size()));
    }

    /**
     * {@code fraction} of each class, picked at random with {@code seed}: every class keeps its share in
     * both parts (class folders are often sorted by class, where {@link #last} would hold out only the last
     * classes). Both parts keep the images' original relative order.
     */
    public static Holdout stratified(LabeledImages images, double fraction, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < images.classes(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < images.size(); i++) {
            byClass.get(images.labels()[i]).add(i);
        }
        Random random = new Random(seed);
        boolean[] held = new boolean[images.size()];
        for (List<Integer> members : byClass) {
            java.util.Collections.shuffle(members, random);
            int take = (int) Math.round(members.size() * fraction);
            for (int k = 0; k < take; k++) {
                held[members.get(k)] = true;
            }
        }
        int heldCount = 0;
        for (boolean h : held) {
            heldCount += h ? 1 : 0;
        }
        int[] train = new int[images.size() - heldCount];
        int[] validation = new int[heldCount];
        int t = 0;
        int v = 0;
        for (int i = 0; i < images.size(); i++) {
            if (held[i]) {
                validation[v++] = i;
            } else {
                train[t++] = i;
            }
        }
        return new Holdout(images.select(train), images.select(validation));
    }
}
