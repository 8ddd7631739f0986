package dev.svertka.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;

import dev.svertka.data.LabeledImages;

/**
 * Training by full passes of the whole network over image batches (decoded and augmented on another thread while
 * this one fits), measured on a sample of the training images and on the validation images.
 */
final class ImagePasses implements Passes {

    private static final int EVALUATION_BATCH = 256;

    private final ComputationGraph network;
    private final AsyncDataSetIterator batches;
    private final LabeledImages accuracySample;
    private final LabeledImages validation;

    ImagePasses(ComputationGraph network, ImageBatches batches, LabeledImages accuracySample,
                LabeledImages validation) {
        this.network = network;
        this.batches = new AsyncDataSetIterator(batches, 2, false);
        this.accuracySample = accuracySample;
        this.validation = validation;
    }

    @Override
    public void start(int epoch) {
        batches.reset();
    }

    @Override
    public boolean hasNext() {
        return batches.hasNext();
    }

    @Override
    public int fitNext() {
        DataSet batch = batches.next();
        network.fit(batch);
        return batch.numExamples();
    }

    @Override
    public double loss() {
        return network.score();
    }

    @Override
    public void finish() {
        network.incrementEpochCount(); // moves epoch-based learning-rate schedules on
    }

    @Override
    public Evaluation train() {
        return Evaluation.of(network, accuracySample, EVALUATION_BATCH);
    }

    @Override
    public Evaluation validation() {
        return validation == null || validation.size() == 0 ? null
                : Evaluation.of(network, validation, EVALUATION_BATCH);
    }

    @Override
    public void close() {
        batches.shutdown();
    }
}
