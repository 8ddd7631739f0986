package dev.svertka.jobs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import dev.svertka.registry.RegistryException;
import dev.svertka.train.JobSpec;
import dev.svertka.train.Trainer;
import dev.svertka.train.TrainingPipeline;
import dev.svertka.report.TrainingReport;
import dev.svertka.train.ZooConfig;
import dev.svertka.train.ZooModels;

/**
 * The trainer role's job queue: jobs run one at a time, in submission order, on one thread (a pod
 * trains one model at a time; DL4J uses all cores for it). Each job keeps its log, its run
 * directory (metrics, checkpoints, report) and, when it fails, why.
 */
@ApplicationScoped
public class JobService {

    private static final Logger LOG = Logger.getLogger(JobService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Status { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED }

    /** What a client sees of a job. */
    public record View(String id, Status status, String model, String submitted, String started, String finished,
                       String progress, String result, String error, List<Map<String, Object>> metrics) {
    }

    private static final class Job {
        final String id;
        final JobSpec spec;
        final Path runDir;
        final String submitted = Instant.now().toString();
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        volatile Status status = Status.QUEUED;
        volatile String started;
        volatile String finished;
        volatile String result;
        volatile String error;
        volatile boolean cancelRequested;
        Future<?> future;

        Job(String id, JobSpec spec, Path runDir) {
            this.id = id;
            this.spec = spec;
            this.runDir = runDir;
        }
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

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "svertka-trainer");
        thread.setDaemon(true);
        return thread;
    });

    /** Queues a job; an invalid spec is refused here, before it waits in the queue. */
    public synchronized View submit(JobSpec spec) {
        String id = UUID.randomUUID().toString();
        Path runDir = spec.runDir() != null ? Path.of(spec.runDir()) : Path.of(config.runs(), id);
        JobSpec placed = spec.withRunDir(runDir.toString());
        placed.toSpec(); // throws IllegalArgumentException for bad values
        Job job = new Job(id, placed, runDir);
        jobs.put(id, job);
        job.future = runner.submit(() -> run(job));
        LOG.infof("queued training job %s for model %s", id, job.spec.toSpec().modelName());
        return view(job);
    }

    public synchronized List<View> list() {
        return jobs.values().stream().map(this::view).toList();
    }

    public synchronized Optional<View> get(String id) {
        return Optional.ofNullable(jobs.get(id)).map(this::view);
    }

    /** The job's HTML report or one of its pictures, once written. */
    public synchronized Optional<Path> reportFile(String id, String name) {
        Job job = jobs.get(id);
        if (job == null || !(name.equals(TrainingReport.PAGE) || name.matches("[a-z-]+\\.png"))) {
            return Optional.empty();
        }
        Path file = job.runDir.resolve("report").resolve(name);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** Cancels a queued job at once, a running one at its next mini-batch; a finished job stays as it ended. */
    public synchronized Optional<View> cancel(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            return Optional.empty();
        }
        if (job.status == Status.QUEUED || job.status == Status.RUNNING) {
            job.cancelRequested = true;
            job.future.cancel(true);
            if (job.status == Status.QUEUED) {
                job.status = Status.CANCELLED;
                job.finished = Instant.now().toString();
            }
        }
        return Optional.of(view(job));
    }

    private void run(Job job) {
        synchronized (this) {
            if (job.cancelRequested) {
                return;
            }
            job.status = Status.RUNNING;
            job.started = Instant.now().toString();
        }
        try (PrintStream log = new PrintStream(job.log, true, StandardCharsets.UTF_8)) {
            ModelRegistry store = job.spec.registry() != null ? new ModelRegistry(job.spec.registryDir()) : registry;
            TrainingPipeline.Result result = new TrainingPipeline(log, bootstrapServers, ZooModels.of(zoo, log))
                    .run(job.spec.toSpec(), store);
            job.result = result.version().card().reference();
            LOG.infof("training job %s stored %s", job.id, job.result);
            if (config.announce()) {
                announce(store, result.version(), log);
            }
            job.status = Status.SUCCEEDED;
        } catch (Exception | Error e) {
            job.error = e.getMessage() != null ? e.getMessage() : e.toString();
            job.status = job.cancelRequested ? Status.CANCELLED : Status.FAILED;
            if (!job.cancelRequested) {
                LOG.errorf(e, "training job %s failed", job.id);
            }
        } finally {
            job.finished = Instant.now().toString();
        }
    }

    /** Makes {@code version} live and tells the inference pods, which load it and swap. */
    private void announce(ModelRegistry registry, ModelVersion version, PrintStream log) throws RegistryException {
        ModelVersion live = registry.promote(version.card().name(), version.card().version());
        try (ModelAnnouncer announcer = new ModelAnnouncer(bootstrapServers, models.topic())) {
            announcer.announce(live);
        }
        log.printf("Promoted %s to live and announced it on topic %s%n", live.card().reference(), models.topic());
    }

    private View view(Job job) {
        String text = job.log.toString(StandardCharsets.UTF_8).strip();
        String progress = text.isEmpty() ? null : text.substring(text.lastIndexOf('\n') + 1);
        return new View(job.id, job.status, job.spec.toSpec().modelName(), job.submitted, job.started, job.finished,
                progress, job.result, job.error, metrics(job.runDir.resolve(Trainer.METRICS_FILE)));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> metrics(Path file) {
        List<Map<String, Object>> out = new ArrayList<>();
        try {
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file)) {
                    out.add(JSON.readValue(line, Map.class));
                }
            }
        } catch (IOException e) {
            // a line being written right now; the next poll reads it whole
        }
        return out;
    }

    @PreDestroy
    void stop() {
        runner.shutdownNow();
    }
}
