package dev.svertka.jobs;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import dev.svertka.jobs.JobService.Status;
import dev.svertka.jobs.JobService.View;
import dev.svertka.train.JobSpec;
import dev.svertka.train.event.MetricsFile;
import dev.svertka.train.event.TrainingEvent;
import dev.svertka.train.event.TrainingEvent.BatchProgress;
import dev.svertka.train.event.TrainingEvent.DataProgress;
import dev.svertka.train.event.TrainingEvent.EpochFinished;
import dev.svertka.train.event.TrainingListener;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * One training job as the service keeps it: status, the last {@code maxLines} log lines, per-epoch metrics, and
 * its event stream: what a new subscriber is replayed (the log's events, not every mini-batch) and who is
 * listening now. Hears its run's events on the training thread.
 */
final class Job implements TrainingListener {

    final String id;
    final JobSpec spec;
    final Path runDir;
    private final int maxLines;
    private final String submitted = Instant.now().toString();
    private final Deque<JobEvent> replay = new ArrayDeque<>();
    private final Deque<String> log = new ArrayDeque<>();
    private final List<Map<String, Object>> metrics = new ArrayList<>();
    private final List<MultiEmitter<? super JobEvent>> listening = new ArrayList<>();
    private Status status = Status.QUEUED;
    private String started;
    private String finished;
    private String progress;
    private String result;
    private String error;
    private String warning;
    private boolean cancelRequested;
    private Future<?> future;

    Job(String id, JobSpec spec, Path runDir, int maxLines) {
        this.id = id;
        this.spec = spec;
        this.runDir = runDir;
        this.maxLines = maxLines;
    }

    @Override
    public synchronized void on(TrainingEvent event) {
        progress = event.text();
        boolean progressOnly = event instanceof BatchProgress || event instanceof DataProgress;
        if (progressOnly && listening.isEmpty()) {
            return; // a mini-batch nobody watches: no JSON to write on the training thread
        }
        JobEvent published = JobEvent.of(event);
        if (!progressOnly) {
            keep(log, event.text());
            keep(replay, published);
        }
        if (event instanceof EpochFinished e) {
            metrics.add(MetricsFile.fields(e.metrics()));
        }
        listening.forEach(emitter -> emitter.emit(published));
    }

    private <T> void keep(Deque<T> lines, T line) {
        lines.addLast(line);
        if (lines.size() > maxLines) {
            lines.removeFirst();
        }
    }

    synchronized void queued(Future<?> run) {
        future = run;
    }

    /** Moves to RUNNING unless cancelled while queued; false: do not run it. */
    synchronized boolean start() {
        if (cancelRequested) {
            return false;
        }
        started = Instant.now().toString();
        changeStatus(Status.RUNNING);
        return true;
    }

    synchronized void succeeded(String reference) {
        result = reference;
        finish(Status.SUCCEEDED);
    }

    synchronized void failed(String reason) {
        error = reason;
        finish(cancelRequested ? Status.CANCELLED : Status.FAILED);
    }

    synchronized void log(String line) {
        keep(log, line);
    }

    /** Something the job's client should know though the job did its work (null: nothing, any longer). */
    synchronized void warning(String text) {
        warning = text;
        if (text != null) {
            keep(log, "WARNING: " + text);
        }
    }

    /**
     * Cancels a queued job at once, a running one at its next mini-batch; a finished one stays as it ended, and so
     * does a run only shown here.
     */
    synchronized void cancel() {
        if (!isFinished() && future != null) { // no future: a run shown here, trained by its own caller
            cancelRequested = true;
            future.cancel(true);
            if (status == Status.QUEUED) {
                finish(Status.CANCELLED);
            }
        }
    }

    synchronized boolean isFinished() {
        return finished != null;
    }

    synchronized boolean cancelRequested() {
        return cancelRequested;
    }

    /** Replays the job's events so far to {@code emitter}, then streams the rest; ends when the job does. */
    synchronized void subscribe(MultiEmitter<? super JobEvent> emitter) {
        replay.forEach(emitter::emit);
        emitter.emit(JobEvent.status(view()));
        if (isFinished()) {
            emitter.complete();
            return;
        }
        listening.add(emitter);
        emitter.onTermination(() -> {
            synchronized (this) {
                listening.remove(emitter);
            }
        });
    }

    private void finish(Status end) {
        finished = Instant.now().toString();
        changeStatus(end);
        List.copyOf(listening).forEach(MultiEmitter::complete);
        listening.clear();
    }

    private void changeStatus(Status next) {
        status = next;
        JobEvent event = JobEvent.status(view());
        listening.forEach(emitter -> emitter.emit(event));
    }

    synchronized View view() {
        return new View(id, status, spec.model(), submitted, started, finished, progress, result, error,
                warning, !isFinished() && future != null, List.copyOf(metrics));
    }

    /** The last lines of the job's log, oldest first. */
    synchronized List<String> log() {
        return List.copyOf(log);
    }
}
