package dev.svertka.train;

/**
 * An epoch's training, batch by batch, and what the epoch is measured with: full passes of the network over
 * image batches ({@link ImagePasses}), or the unfrozen part over features the frozen part made once
 * ({@link FeatureCache}).
 */
interface Passes extends AutoCloseable {

    /** Starts an epoch: the batches in a new order. */
    void start(int epoch);

    boolean hasNext();

    /** Trains on the next batch; returns its image count, its loss then in {@link #loss()}. */
    int fitNext();

    double loss();

    /** Ends an epoch (epoch-based learning-rate schedules move on). */
    void finish();

    /** Accuracy on (a sample of) the training images. */
    Evaluation train();

    /** On the validation images; null without any. */
    Evaluation validation();

    /** Stops what prepares batches in the background, if anything does. */
    @Override
    default void close() {
    }
}
