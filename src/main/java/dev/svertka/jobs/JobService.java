package dev.svertka.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

import dev.svertka.io.Failures;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import dev.svertka.registry.RegistryException;
import dev.svertka.report.TrainingReport;
import dev.svertka.train.JobCheck;
import dev.svertka.train.JobSpec;
import dev.svertka.train.TrainingPipeline;
import dev.svertka.train.ZooConfig;
import dev.svertka.train.ZooModels;
import dev.svertka.train.event.TrainingEvent;
import dev.svertka.train.event.TrainingListener;
import io.smallrye.mutiny.Multi;

/**
 * The trainer role's job queue: jobs run one at a time, in submission order, on one thread (a pod
 * trains one model at a time; DL4J uses all cores for it). Each job keeps its recent log, its run
 * directory (metrics, checkpoints, report), its events and, when it fails, why. The service remembers
 * the last {@code svertka.trainer.max-jobs} jobs: the oldest finished ones are forgotten first.
 */
@ApplicationScoped
public class JobService {

    private static final Logger LOG = Logger.getLogger(JobService.class);
    private static final int ANNOUNCE_ATTEMPTS = 5;
    private static final Duration ANNOUNCE_RETRY = Duration.ofSeconds(20);

    public enum Status { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED }

    /** What a client sees of a job. */
    /** @param cancellable whether {@code DELETE /jobs/ID} can still stop it (not when finished, nor a shown run) */
    public record View(String id, Status status, String model, String submitted, String started, String finished,
                       String progress, String result, String error, String warning, boolean cancellable,
                       List<Map<String, Object>> metrics) {
    }

    @Inject
    TrainerConfig config;

    @Inject
    ModelsConfig models;

    @Inject
    ZooConfig zoo;

    /** For jobs that name no registry. */
    @Inject
    ModelRegistry registry;

    @Inject
    KafkaClients kafka;

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(daemon("svertka-trainer"));
    private final ScheduledExecutorService retries =
            Executors.newSingleThreadScheduledExecutor(daemon("svertka-announce-retry"));

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Queues a job. Specs are checked when they are made, and what the job needs here (writable directories, its
     * data) now: an invalid job is refused with every problem ({@link JobSpec.InvalidJobException}), it never
     * waits in the queue.
     */
    public synchronized View submit(JobSpec spec) {
        String id = UUID.randomUUID().toString();
        Path runDir = spec.runDir() != null ? Path.of(spec.runDir()) : Path.of(config.runs(), id);
        JobSpec placed = spec.toBuilder().runDir(runDir.toString()).build();
        JobCheck.verify(placed, placed.registryOr(registry.root()));
        Job job = new Job(id, placed, runDir, config.maxLogLines());
        jobs.put(id, job);
        forgetOldJobs();
        job.queued(runner.submit(() -> run(job)));
        LOG.infof("queued training job %s for model %s", id, spec.model());
        return job.view();
    }

    /**
     * A run that another part of this process trains itself (the demo's), listed with the jobs: its events, log
     * and report are served as theirs. It takes no place in the queue, and cannot be cancelled from here.
     */
    public synchronized Shown show(JobSpec spec) {
        String id = UUID.randomUUID().toString();
        Job job = new Job(id, spec, spec.runDirectory(), config.maxLogLines());
        jobs.put(id, job);
        forgetOldJobs();
        job.start();
        return new Shown(job);
    }

    /** How a run trained elsewhere tells its job its events and its end. */
    public static final class Shown implements TrainingListener {

        private final Job job;

        private Shown(Job job) {
            this.job = job;
        }

        @Override
        public void on(TrainingEvent event) {
            job.on(event);
        }

        public void succeeded(String reference) {
            job.succeeded(reference);
        }

        public void failed(Throwable cause) {
            job.failed(Failures.describe(cause));
        }
    }

    private void forgetOldJobs() {
        Iterator<Job> oldestFirst = jobs.values().iterator();
        while (jobs.size() > config.maxJobs() && oldestFirst.hasNext()) {
            if (oldestFirst.next().isFinished()) {
                oldestFirst.remove();
            }
        }
    }

    public synchronized List<View> list() {
        return jobs.values().stream().map(Job::view).toList();
    }

    public synchronized Optional<View> get(String id) {
        return job(id).map(Job::view);
    }

    public synchronized Optional<List<String>> log(String id) {
        return job(id).map(Job::log);
    }

    /** The job's events, the past ones first, until it ends; empty for an unknown job. */
    public synchronized Optional<Multi<JobEvent>> events(String id) {
        return job(id).map(job -> Multi.createFrom().<JobEvent>emitter(job::subscribe));
    }

    /** The job's HTML report or one of its pictures, once written. */
    public synchronized Optional<Path> reportFile(String id, String name) {
        if (!(name.equals(TrainingReport.PAGE) || name.matches("[a-z-]+\\.png"))) {
            return Optional.empty();
        }
        return job(id).map(job -> job.runDir.resolve("report").resolve(name)).filter(Files::isRegularFile);
    }

    /** Cancels a queued job at once, a running one at its next mini-batch; a finished job stays as it ended. */
    public synchronized Optional<View> cancel(String id) {
        Optional<Job> job = job(id);
        job.ifPresent(Job::cancel);
        return job.map(Job::view);
    }

    private Optional<Job> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    private void run(Job job) {
        if (!job.start()) {
            return;
        }
        try {
            ModelRegistry store = job.spec.registry() != null ? new ModelRegistry(Path.of(job.spec.registry()))
                    : registry;
            TrainingPipeline.Result result = new TrainingPipeline(job, kafka, ZooModels.of(zoo, job))
                    .run(job.spec, store);
            String reference = result.version().card().reference();
            LOG.infof("training job %s stored %s", job.id, reference);
            if (config.announce()) {
                announce(store, result.version(), job);
            }
            job.succeeded(reference);
        } catch (Exception | Error e) {
            if (!job.cancelRequested()) {
                LOG.errorf(e, "training job %s failed", job.id);
            }
            job.failed(Failures.describe(e));
        }
    }

    /**
     * Makes {@code version} live and tells the inference pods, which load it and swap. The job has done its work
     * once the version is live: an announcement that does not get through leaves it succeeded, with a warning,
     * and is tried again (pods that start meanwhile load the live version anyway).
     */
    private void announce(ModelRegistry registry, ModelVersion version, Job job) throws RegistryException {
        ModelVersion live = registry.promote(version.card().name(), version.card().version());
        job.log("Promoted " + live.card().reference() + " to live");
        announceLive(live, job, 1);
    }

    private void announceLive(ModelVersion live, Job job, int attempt) {
        String reference = live.card().reference();
        try (ModelAnnouncer announcer = new ModelAnnouncer(kafka, models.topic())) {
            announcer.announce(live);
            job.warning(null);
            job.log("Announced " + reference + " on topic " + models.topic());
        } catch (RegistryException | KafkaException e) {
            String why = reference + " is live in the registry, but announcing it on topic " + models.topic()
                    + " failed (attempt " + attempt + " of " + ANNOUNCE_ATTEMPTS + "): " + Failures.describe(e);
            if (attempt < ANNOUNCE_ATTEMPTS && !retries.isShutdown()) {
                Duration wait = ANNOUNCE_RETRY.multipliedBy(attempt);
                job.warning(why + "; trying again in " + wait.toSeconds() + " s");
                retries.schedule(() -> announceLive(live, job, attempt + 1), wait.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                job.warning(why + "; run 'registry promote " + reference + "' to announce it");
            }
            LOG.warnf("training job %s: %s", job.id, why);
        }
    }

    @PreDestroy
    void stop() {
        runner.shutdownNow();
        retries.shutdownNow();
    }
}
