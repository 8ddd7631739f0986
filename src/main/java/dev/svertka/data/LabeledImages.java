package dev.svertka.data;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;

/**
 * Labelled images held as unsigned bytes, one image after another, each in CHW order (for grey images CHW and
 * HWC are the same), already at the input's size; {@link #recipe} says how they are normalised when fed to the
 * model. Small and dependency-free so that training, sending and serving can all use it.
 */
public record LabeledImages(InputRecipe recipe, byte[] pixels, int[] labels, List<String> classNames) {

    /** Images fed as Svertka's own recipe feeds them (scaled to 0..1). */
    public LabeledImages(InputShape shape, byte[] pixels, int[] labels, List<String> classNames) {
        this(InputRecipe.of(shape), pixels, labels, classNames);
    }

    public LabeledImages {
        InputShape shape = recipe.input();
        if (pixels.length != (long) labels.length * shape.pixels()) {
            throw new IllegalArgumentException("pixel buffer holds " + pixels.length + " bytes, expected "
                    + labels.length + " images of " + shape.pixels());
        }
        classNames = List.copyOf(classNames);
        for (int label : labels) {
            if (label < 0 || label >= classNames.size()) {
                throw new IllegalArgumentException("label " + label + " outside 0.." + (classNames.size() - 1));
            }
        }
    }

    public InputShape shape() {
        return recipe.input();
    }

    /** The same images fed by another recipe for the same input. */
    public LabeledImages withRecipe(InputRecipe newRecipe) {
        if (!newRecipe.input().equals(shape())) {
            throw new IllegalArgumentException("images of " + shape() + " cannot be fed to an input of "
                    + newRecipe.input());
        }
        return new LabeledImages(newRecipe, pixels, labels, classNames);
    }

    public int size() {
        return labels.length;
    }

    public int classes() {
        return classNames.size();
    }

    /** A copy of image {@code i}'s bytes. */
    public byte[] image(int i) {
        int n = shape().pixels();
        return Arrays.copyOfRange(pixels, i * n, (i + 1) * n);
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive) as model input, normalised by the recipe. */
    public float[] inputs(int from, int to) {
        int n = shape().pixels();
        float[] out = new float[(to - from) * n];
        for (int i = 0; i < out.length; i++) {
            out[i] = pixels[from * n + i] & 0xFF;
        }
        for (int image = 0; image < to - from; image++) {
            recipe.normalise(out, image * n);
        }
        return out;
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive). */
    public LabeledImages slice(int from, int to) {
        int n = shape().pixels();
        return new LabeledImages(recipe, Arrays.copyOfRange(pixels, from * n, to * n),
                Arrays.copyOfRange(labels, from, to), classNames);
    }

    /**
     * The same images with labels counted in {@code names} (a model's classes), matched by class name: a class of
     * these images that {@code names} lacks is an error; names without images are fine.
     */
    public LabeledImages labelledAs(List<String> names) {
        if (names.equals(classNames)) {
            return this;
        }
        List<String> unknown = classNames.stream().filter(name -> !names.contains(name)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("classes " + unknown + " are not among " + names);
        }
        int[] relabelled = IntStream.of(labels).map(label -> names.indexOf(classNames.get(label))).toArray();
        return new LabeledImages(recipe, pixels, relabelled, names);
    }

    /**
     * The images of classes {@code fromClass} (inclusive) to {@code toClass} (exclusive), at most {@code perClass}
     * of each (the first ones, in order), relabelled {@code 0..toClass-fromClass-1} and named as before: part of
     * a dataset as a task of its own, e.g. new classes with few labelled images for transfer learning.
     */
    public LabeledImages classRange(int fromClass, int toClass, int perClass) {
        if (fromClass < 0 || toClass > classes() || fromClass >= toClass || perClass < 1) {
            throw new IllegalArgumentException("classes " + fromClass + ".." + (toClass - 1) + " with " + perClass
                    + " images each is not a part of " + classes() + " classes");
        }
        int[] taken = new int[classes()];
        int[] picked = IntStream.range(0, size()).filter(i -> {
            int label = labels[i];
            return label >= fromClass && label < toClass && taken[label]++ < perClass;
        }).toArray();
        LabeledImages subset = select(picked);
        int[] relabelled = IntStream.of(subset.labels).map(label -> label - fromClass).toArray();
        return new LabeledImages(recipe, subset.pixels, relabelled, classNames.subList(fromClass, toClass));
    }

    /** The images at the given indices, in that order. */
    public LabeledImages select(int[] indices) {
        int n = shape().pixels();
        byte[] out = new byte[indices.length * n];
        int[] outLabels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * n, out, k * n, n);
            outLabels[k] = labels[indices[k]];
        }
        return new LabeledImages(recipe, out, outLabels, classNames);
    }
}
