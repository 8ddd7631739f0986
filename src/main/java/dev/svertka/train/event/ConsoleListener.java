package dev.svertka.train.event;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

import dev.svertka.train.event.TrainingEvent.BatchProgress;
import dev.svertka.train.event.TrainingEvent.DataProgress;
import dev.svertka.train.event.TrainingEvent.EpochFinished;
import dev.svertka.train.event.TrainingEvent.EpochStarted;
import dev.svertka.train.event.TrainingEvent.Failed;

/**
 * A run as a person at a terminal reads it: a line per step and per epoch (Keras-style) on {@code out},
 * progress bars on standard error so that piping {@code out} keeps only the lines.
 */
public final class ConsoleListener implements TrainingListener {

    private final PrintStream out;
    private final Map<String, ProgressBar> dataBars = new HashMap<>();
    private ProgressBar epochBar;

    public ConsoleListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void on(TrainingEvent event) {
        if (event instanceof DataProgress p) {
            ProgressBar bar = dataBars.computeIfAbsent(p.what(), what -> ProgressBar.onStderr(what, p.total()));
            bar.update(p.done(), "");
            if (p.done() >= p.total()) {
                bar.finish();
                dataBars.remove(p.what());
            }
        } else if (event instanceof EpochStarted e) {
            epochBar = ProgressBar.onStderr(e.text(), e.images());
        } else if (event instanceof BatchProgress b) {
            if (epochBar != null) {
                epochBar.update(b.images(), String.format("- loss: %.4f", b.loss()));
            }
        } else if (!(event instanceof Failed)) { // the command line reports an error itself, once
            if (event instanceof EpochFinished && epochBar != null) {
                epochBar.finish();
                epochBar = null;
            }
            out.println(event.text());
        }
    }
}
