package dev.svertka.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.data.Augmentation;
import dev.svertka.card.InputShape;

/**
 * A training job as JSON, the same settings as {@code train}'s options (names in camelCase, e.g.
 * {@code {"model":"fashion","data":"/data/fashion","epochs":10,"augment":"rotation_range=10"}}), so a
 * Kubernetes Job can run {@code train --spec job.json}. Absent fields take the command's defaults; an
 * unknown field is an error (a typo must not silently train something else).
 */
public record JobSpec(String model, String data, String testData, String imageSize, String preset, Integer epochs,
                      Integer batchSize, Double validationSplit, Boolean stratified, Long seed, Integer limit,
                      String augment, String optimizer, String lrSchedule, Integer patience, String runDir,
                      String resume, String base, String freezeUpTo, Integer unfreezeAfter, String registry) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static JobSpec read(Path file) throws IOException {
        try {
            return JSON.readValue(Files.readString(file), JobSpec.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("job spec " + file + " is not valid: " + e.getOriginalMessage(), e);
        }
    }

    /** A job spec sent as text (the trainer API). */
    public static JobSpec parse(String json) throws IOException {
        try {
            return JSON.readValue(json, JobSpec.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("the job spec is not valid: " + e.getOriginalMessage(), e);
        }
    }

    /** The same job writing its metrics, checkpoints and report into {@code dir}. */
    public JobSpec withRunDir(String dir) {
        return new JobSpec(model, data, testData, imageSize, preset, epochs, batchSize, validationSplit, stratified, seed,
                limit, augment, optimizer, lrSchedule, patience, dir, resume, base, freezeUpTo, unfreezeAfter,
                registry);
    }

    public String json() throws IOException {
        return JSON.writeValueAsString(this);
    }

    /** The registry to store into ({@code registry} by default). */
    public Path registryDir() {
        return Path.of(registry != null ? registry : "registry");
    }

    /** The job, defaults filled in as {@code train} fills them. */
    public TrainingPipeline.Spec toSpec() {
        String name = model != null ? model : "classifier";
        String schedule = lrSchedule != null ? lrSchedule : "constant";
        Optimizer chosen = optimizer == null && schedule.equals("constant") ? null
                : Optimizer.parse(optimizer != null ? optimizer : base != null ? "adam:0.0001" : "adam", schedule);
        return new TrainingPipeline.Spec(data != null ? data : "synthetic", preset != null ? preset : "seed-cnn", name,
                or(epochs, 3), or(batchSize, 128), validationSplit != null ? validationSplit : 0.1,
                seed != null ? seed : 42, or(limit, 0))
                .withData(testData, Boolean.TRUE.equals(stratified),
                        InputShape.parse(imageSize != null ? imageSize : "1x28x28"))
                .withTraining(Augmentation.parse(augment), chosen, or(patience, 0),
                        runDir != null ? Path.of(runDir) : Path.of("runs", name),
                        resume != null ? Path.of(resume) : null)
                .withBase(base, freezeUpTo, or(unfreezeAfter, 0));
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
