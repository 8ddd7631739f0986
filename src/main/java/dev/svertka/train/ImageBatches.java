package dev.svertka.train;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import dev.svertka.data.Augmenter;
import dev.svertka.data.LabeledImages;
import dev.svertka.card.InputShape;

/**
 * Mini-batches of {@link LabeledImages} as NCHW float features normalised by their recipe, and one-hot labels.
 * Batches are built when asked for (the bytes stay compact), in a new seeded order after each
 * {@link #reset()} when shuffling. Training batches may be augmented on the fly: each image anew in
 * each epoch, reproducibly (the randomness depends on seed, epoch and image only).
 */
public final class ImageBatches implements DataSetIterator {

    private final LabeledImages images;
    private final int batchSize;
    private final Random random;
    private final int[] order;
    private final Augmenter augmenter;
    private final long seed;
    private int epoch;
    private int cursor;
    private DataSetPreProcessor preProcessor;

    private ImageBatches(LabeledImages images, int batchSize, Random random, Augmenter augmenter, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.images = images;
        this.batchSize = batchSize;
        this.random = random;
        this.augmenter = augmenter;
        this.seed = seed;
        this.order = new int[images.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        shuffle();
    }

    /** Batches in a new random order each epoch. */
    public static ImageBatches shuffled(LabeledImages images, int batchSize, long seed) {
        return new ImageBatches(images, batchSize, new Random(seed), null, seed);
    }

    /** Batches in a new random order each epoch, each image augmented anew each epoch. */
    public static ImageBatches augmented(LabeledImages images, int batchSize, long seed, Augmenter augmenter) {
        return new ImageBatches(images, batchSize, new Random(seed), augmenter, seed);
    }

    /** Batches in the images' own order (evaluation). */
    public static ImageBatches inOrder(LabeledImages images, int batchSize) {
        return new ImageBatches(images, batchSize, null, null, 0);
    }

    /** One batch holding the given images, in their order. */
    public static DataSet batchOf(LabeledImages images) {
        return inOrder(images, Math.max(1, images.size())).next();
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch finished; call reset()");
        }
        int n = Math.min(num, order.length - cursor);
        InputShape shape = images.shape();
        int pixels = shape.pixels();
        byte[] source = images.pixels();
        float[] features = new float[n * pixels];
        float[] labels = new float[n * images.classes()];
        for (int k = 0; k < n; k++) {
            int index = order[cursor + k];
            int to = k * pixels;
            if (augmenter != null) {
                System.arraycopy(augmenter.apply(images.image(index), seed, epoch, index), 0, features, to, pixels);
            } else {
                int from = index * pixels;
                for (int p = 0; p < pixels; p++) {
                    features[to + p] = source[from + p] & 0xFF;
                }
            }
            images.recipe().normalise(features, to);
            labels[k * images.classes() + images.labels()[index]] = 1f;
        }
        cursor += n;
        DataSet batch = new DataSet(
                Nd4j.create(features, new long[] {n, shape.channels(), shape.height(), shape.width()}, 'c'),
                Nd4j.create(labels, new long[] {n, images.classes()}, 'c'));
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    private void shuffle() {
        if (random == null) {
            return;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Number of batches in one pass. */
    public int batchesPerEpoch() {
        return (order.length + batchSize - 1) / batchSize;
    }

    @Override
    public void reset() {
        cursor = 0;
        epoch++;
        shuffle();
    }

    @Override
    public int inputColumns() {
        return images.shape().pixels();
    }

    @Override
    public int totalOutcomes() {
        return images.classes();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return images.classNames();
    }
}
