package dev.svertka.train;

import java.util.Random;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearningHelper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;

import dev.svertka.data.LabeledImages;
import dev.svertka.train.event.TrainingEvent.DataProgress;
import dev.svertka.train.event.TrainingListener;

/**
 * Fine-tuning with a frozen backbone that runs once: each image's activations where the frozen part ends are
 * computed one time (DL4J's {@link TransferLearningHelper} "featurizes"), kept in memory, and every epoch trains
 * and measures only the unfrozen part on them. Frozen layers always run in inference mode, so without augmentation
 * this trains as full passes would, without the backbone's forward and backward passes after the first. The
 * helper copies the trained parameters back into the whole network after every step.
 */
final class FeatureCache implements Passes {

    static final String FEATURIZING = "Featurizing through the frozen layers (once)";
    /**
     * Images per featurizing pass: DL4J's helper keeps every activation of the pass (a 224x224 ResNet50 holds about
     * 100 MB per image), released only when the garbage collector frees them, so passes are small and collected.
     */
    private static final int FEATURIZE_BATCH = 8;

    /** One image set at the frozen boundary: the unfrozen part's inputs and the images' classes. */
    private record Features(INDArray[] inputs, int[] labels) {

        int size() {
            return labels.length;
        }
    }

    private final ComputationGraph network;
    private final TransferLearningHelper helper;
    private final Features train;
    private final Features validation;
    private final int classes;
    private final int batchSize;
    private final long seed;
    private int[] order;
    private int cursor;
    private double loss;

    private FeatureCache(ComputationGraph network, TransferLearningHelper helper, Features train, Features validation,
                         int classes, int batchSize, long seed) {
        this.network = network;
        this.helper = helper;
        this.train = train;
        this.validation = validation;
        this.classes = classes;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Whether {@code network} has a frozen part whose output can stand in for its images. */
    static boolean applies(ComputationGraph network) {
        return FineTuning.frozenLayers(network) > 0;
    }

    /** Runs the frozen part of {@code network} over the training and validation images once, saying how far it got. */
    static FeatureCache of(ComputationGraph network, LabeledImages train, LabeledImages validation, int batchSize,
                           long seed, TrainingListener listener) {
        TransferLearningHelper helper = new TransferLearningHelper(network);
        long total = train.size() + (validation == null ? 0 : validation.size());
        long[] done = {0};
        listener.on(new DataProgress(FEATURIZING, 0, total));
        Runnable step = () -> listener.on(new DataProgress(FEATURIZING, done[0], total));
        Features trainFeatures = featurize(helper, train, done, step);
        Features validationFeatures = validation == null || validation.size() == 0 ? null
                : featurize(helper, validation, done, step);
        return new FeatureCache(network, helper, trainFeatures, validationFeatures, train.classes(), batchSize, seed);
    }

    private static Features featurize(TransferLearningHelper helper, LabeledImages images, long[] done,
                                      Runnable progress) {
        int batches = (images.size() + FEATURIZE_BATCH - 1) / FEATURIZE_BATCH;
        INDArray[][] parts = null;
        ImageBatches inOrder = ImageBatches.inOrder(images, FEATURIZE_BATCH);
        for (int b = 0; inOrder.hasNext(); b++) {
            DataSet batch = inOrder.next();
            INDArray[] featurized = helper.featurize(new MultiDataSet(batch.getFeatures(), batch.getLabels()))
                    .getFeatures();
            if (parts == null) {
                parts = new INDArray[featurized.length][batches];
            }
            for (int i = 0; i < featurized.length; i++) {
                parts[i][b] = featurized[i].detach();
            }
            done[0] += batch.numExamples();
            progress.run();
            Nd4j.getMemoryManager().invokeGc(); // the pass's other activations, off the Java heap
        }
        INDArray[] inputs = new INDArray[parts.length];
        for (int i = 0; i < parts.length; i++) {
            inputs[i] = Nd4j.concat(0, parts[i]);
        }
        return new Features(inputs, images.labels().clone());
    }

    @Override
    public void start(int epoch) {
        order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random random = new Random(seed * 31 + epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        cursor = 0;
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public int fitNext() {
        int n = Math.min(batchSize, order.length - cursor);
        int[] picked = new int[n];
        System.arraycopy(order, cursor, picked, 0, n);
        cursor += n;
        INDArray[] inputs = new INDArray[train.inputs().length];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rows(train.inputs()[i], picked);
        }
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int k = 0; k < n; k++) {
            labels.putScalar(k, train.labels()[picked[k]], 1f);
        }
        helper.fitFeaturized(new MultiDataSet(inputs, new INDArray[] {labels}));
        loss = helper.unfrozenGraph().score();
        return n;
    }

    @Override
    public double loss() {
        return loss;
    }

    @Override
    public void finish() {
        network.incrementEpochCount();
        // the unfrozen part trains as a network of its own: its schedules follow its own epoch count
        helper.unfrozenGraph().incrementEpochCount();
    }

    @Override
    public Evaluation train() {
        return evaluate(train);
    }

    @Override
    public Evaluation validation() {
        return validation == null ? null : evaluate(validation);
    }

    private Evaluation evaluate(Features features) {
        int[] at = {0};
        return Evaluation.of(() -> {
            if (at[0] >= features.size()) {
                return null;
            }
            int to = Math.min(features.size(), at[0] + batchSize);
            INDArray[] inputs = new INDArray[features.inputs().length];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = features.inputs()[i].get(range(features.inputs()[i].rank(), at[0], to));
            }
            at[0] = to;
            return helper.outputFromFeaturized(inputs)[0];
        }, features.labels(), classes);
    }

    private static INDArray rows(INDArray array, int[] indices) {
        INDArrayIndex[] index = new INDArrayIndex[array.rank()];
        index[0] = new SpecifiedIndex(indices);
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return array.get(index);
    }

    private static INDArrayIndex[] range(int rank, int from, int to) {
        INDArrayIndex[] index = new INDArrayIndex[rank];
        index[0] = NDArrayIndex.interval(from, to);
        for (int d = 1; d < rank; d++) {
            index[d] = NDArrayIndex.all();
        }
        return index;
    }
}
