package dev.svertka.train.event;

import java.util.List;

/** Hears a training run's {@link TrainingEvent}s, on the training thread: keep {@link #on} quick. */
@FunctionalInterface
public interface TrainingListener {

    TrainingListener NONE = event -> {
    };

    void on(TrainingEvent event);

    /** One listener that passes each event to all of {@code listeners}, in order. */
    static TrainingListener all(TrainingListener... listeners) {
        List<TrainingListener> each = List.of(listeners);
        return event -> each.forEach(listener -> listener.on(event));
    }
}
