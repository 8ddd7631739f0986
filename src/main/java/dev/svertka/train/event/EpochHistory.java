package dev.svertka.train.event;

import java.util.ArrayList;
import java.util.List;

import dev.svertka.train.Trainer.EpochMetrics;
import dev.svertka.train.event.TrainingEvent.EpochFinished;

/** The epochs a run has finished, in order, as its events told them: the model card's and the report's curves. */
public final class EpochHistory implements TrainingListener {

    private final List<EpochMetrics> epochs = new ArrayList<>();

    @Override
    public synchronized void on(TrainingEvent event) {
        if (event instanceof EpochFinished finished) {
            epochs.add(finished.metrics());
        }
    }

    public synchronized List<EpochMetrics> epochs() {
        return List.copyOf(epochs);
    }
}
