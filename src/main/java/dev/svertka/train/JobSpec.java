package dev.svertka.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;

import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;
import dev.svertka.card.Preprocessing;
import dev.svertka.data.Augmentation;
import dev.svertka.io.Failures;
import dev.svertka.model.Presets;
import dev.svertka.registry.ModelRegistry;

/**
 * One training job, whoever asks for it: {@code train}'s options, a JSON file ({@code train --spec job.json},
 * e.g. a Kubernetes Job) and the trainer API build the same value. JSON names are the options' in camelCase
 * ({@code {"model":"fashion","data":"/data/fashion","epochs":10,"augment":"rotation_range=10"}}). The defaults
 * live in one place, {@link Builder}'s fields: an absent JSON field and an option not given both take them. An
 * unknown JSON field is an error (a typo must not silently train something else); so is a value that does not
 * parse, when the spec is made rather than when the job runs.
 *
 * @param data            'synthetic[:N]', a directory (IDX files or class folders) or {@code kafka:TOPIC?...}
 * @param testData        a separate test set (a {@code data} value), else the data's own test split
 * @param imageSize       CHANNELSxHEIGHTxWIDTH class-folder images are resized to
 * @param preprocessing   how pictures become input besides their size (resize and crop, mean, std, channel
 *                        order), the card's {@code preprocessing} object; null: stretched, scaled to 0..1
 * @param validationSplit the share of training images held out for validation: the last ones (as Keras'
 *                        {@code validation_split}), or a seeded share of each class when {@code stratified}
 * @param limit           use at most this many training images (0: all)
 * @param optimizer       adam[:LR] or sgd[:LR[:MOMENTUM]]; null: the preset's Adam 1e-3 (fine-tuning: 1e-4)
 * @param patience        early stopping on the validation loss (0: off)
 * @param runDir          metrics, checkpoints and the HTML report (null: runs/MODEL)
 * @param resume          a {@code last.zip}/{@code best.zip} checkpoint to continue training
 * @param base            fine-tune this model (see {@link BaseModels}); its head is replaced for this data's classes
 * @param freezeUpTo      with a base: freeze the vertices up to this name, or the layers up to this index (null:
 *                        train all)
 * @param featuresAt      with a base: the vertex whose output the new head reads; the old head after it is cut off
 *                        (null: the last feature maps, layer stacks included, see {@link FineTuning#featuresAt})
 * @param cacheFeatures   with frozen layers and no augmentation: run them once per image and train the rest on
 *                        their cached output (the same training, faster); false makes full passes every epoch
 * @param unfreezeAfter   with a frozen base: train everything after this many epochs (0: never)
 * @param registry        where the model is stored (null: the runner's, see {@link #registryOr})
 */
@JsonDeserialize(builder = JobSpec.Builder.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSpec(String model, String data, String testData, String imageSize, Preprocessing preprocessing,
                      String preset, int epochs,
                      int batchSize, double validationSplit, boolean stratified, long seed, int limit, String augment,
                      String optimizer, String lrSchedule, int patience, String runDir, String resume, String base,
                      String freezeUpTo, String featuresAt, boolean cacheFeatures, int unfreezeAfter,
                      String registry) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public JobSpec {
        List<String> problems = new ArrayList<>();
        check(problems, ModelRegistry.nameProblem(model));
        if (data == null || data.isBlank()) {
            problems.add("data: say where the images are ('synthetic', a directory or kafka:TOPIC)");
        }
        if (epochs < 1) {
            problems.add("epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            problems.add("batchSize must be at least 1, got " + batchSize);
        }
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            problems.add("validationSplit must be in [0, 1), got " + validationSplit);
        }
        if (limit < 0 || patience < 0 || unfreezeAfter < 0) {
            problems.add("limit, patience and unfreezeAfter must be 0 or more, got " + limit + ", " + patience
                    + " and " + unfreezeAfter);
        }
        if (resume != null && base != null) {
            problems.add("resume a checkpoint or fine-tune a base model, not both");
        }
        // the parsed forms are checked now, so a bad job is refused when it is submitted, not when it runs
        check(problems, () -> Presets.named(preset));
        check(problems, () -> new InputRecipe(InputShape.parse(imageSize), InputShape.PIXEL_SCALE, preprocessing));
        check(problems, () -> Augmentation.parse(augment));
        check(problems, () -> Optimizer.parse(optimizer != null ? optimizer : "adam", lrSchedule));
        if (!problems.isEmpty()) {
            throw new InvalidJobException(problems);
        }
    }

    /** A job spec that cannot run, with every reason (not only the first). */
    public static final class InvalidJobException extends IllegalArgumentException {

        private final List<String> problems;

        InvalidJobException(List<String> problems) {
            super("invalid job: " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private static void check(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    private static void check(List<String> problems, Runnable parse) {
        try {
            parse.run();
        } catch (IllegalArgumentException | NullPointerException e) {
            problems.add(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The job with every default. */
    public static JobSpec defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static JobSpec read(Path file) throws IOException {
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw new IOException("cannot read job spec: " + Failures.message(e), e);
        }
        try {
            return parse(json);
        } catch (IOException e) {
            throw new IOException("job spec " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A job spec sent as text (the trainer API); an {@link InvalidJobException} lists every problem of a spec that
     * parses but cannot run.
     */
    public static JobSpec parse(String json) throws IOException {
        JobSpec spec;
        try {
            spec = JSON.readValue(json, JobSpec.class);
        } catch (JsonProcessingException e) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof InvalidJobException invalid) {
                    throw invalid;
                }
            }
            throw new IOException("the job spec is not valid: " + e.getOriginalMessage(), e);
        }
        if (spec == null) {
            throw new IOException("the job spec is empty (JSON null): send an object such as {\"model\":\"m\"}");
        }
        return spec;
    }

    public String json() throws IOException {
        return JSON.writeValueAsString(this);
    }

    public InputShape imageShape() {
        return InputShape.parse(imageSize);
    }

    /**
     * How the job's pictures are read, and how the model it makes is fed: the card's recipe. Without a
     * preprocessing of its own, a pretrained zoo base brings the one its weights were made with.
     */
    public InputRecipe recipe() {
        Preprocessing chosen = preprocessing == null && base != null && ZooModels.isZoo(base)
                ? ZooModels.preprocessing(base, imageShape()) : preprocessing;
        return new InputRecipe(imageShape(), InputShape.PIXEL_SCALE, chosen);
    }

    public Augmentation augmentation() {
        return Augmentation.parse(augment);
    }

    /** The optimiser asked for; null leaves the network's own (a preset's Adam 1e-3) unless a schedule is given. */
    public Optimizer optimizerChoice() {
        if (optimizer == null && lrSchedule.equals(Builder.CONSTANT)) {
            return null;
        }
        return Optimizer.parse(optimizer != null ? optimizer : base != null ? "adam:0.0001" : "adam", lrSchedule);
    }

    public Path runDirectory() {
        return runDir != null ? Path.of(runDir) : Path.of("runs", model);
    }

    public Path resumeFrom() {
        return resume != null ? Path.of(resume) : null;
    }

    /** The registry the job names, else the runner's own ({@code train}: ./registry; the trainer service's). */
    public Path registryOr(Path runners) {
        return registry != null ? Path.of(registry) : runners;
    }

    /** Builds a {@link JobSpec}; its initial values are the defaults. Method names are the JSON names. */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        static final String CONSTANT = "constant";

        private String model = "classifier";
        private String data = "synthetic";
        private String testData;
        private String imageSize = "1x28x28";
        private Preprocessing preprocessing;
        private String preset = "seed-cnn";
        private int epochs = 3;
        private int batchSize = 128;
        private double validationSplit = 0.1;
        private boolean stratified;
        private long seed = 42;
        private int limit;
        private String augment = "none";
        private String optimizer;
        private String lrSchedule = CONSTANT;
        private int patience;
        private String runDir;
        private String resume;
        private String base;
        private String freezeUpTo;
        private String featuresAt;
        private boolean cacheFeatures = true;
        private int unfreezeAfter;
        private String registry;

        Builder() {
        }

        Builder(JobSpec spec) {
            model = spec.model;
            data = spec.data;
            testData = spec.testData;
            imageSize = spec.imageSize;
            preprocessing = spec.preprocessing;
            preset = spec.preset;
            epochs = spec.epochs;
            batchSize = spec.batchSize;
            validationSplit = spec.validationSplit;
            stratified = spec.stratified;
            seed = spec.seed;
            limit = spec.limit;
            augment = spec.augment;
            optimizer = spec.optimizer;
            lrSchedule = spec.lrSchedule;
            patience = spec.patience;
            runDir = spec.runDir;
            resume = spec.resume;
            base = spec.base;
            freezeUpTo = spec.freezeUpTo;
            featuresAt = spec.featuresAt;
            cacheFeatures = spec.cacheFeatures;
            unfreezeAfter = spec.unfreezeAfter;
            registry = spec.registry;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public Builder data(String value) {
            data = value;
            return this;
        }

        public Builder testData(String value) {
            testData = value;
            return this;
        }

        public Builder imageSize(String value) {
            imageSize = value;
            return this;
        }

        public Builder preprocessing(Preprocessing value) {
            preprocessing = value;
            return this;
        }

        public Builder preset(String value) {
            preset = value;
            return this;
        }

        public Builder epochs(int value) {
            epochs = value;
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder validationSplit(double value) {
            validationSplit = value;
            return this;
        }

        public Builder stratified(boolean value) {
            stratified = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder limit(int value) {
            limit = value;
            return this;
        }

        public Builder augment(String value) {
            augment = value;
            return this;
        }

        public Builder optimizer(String value) {
            optimizer = value;
            return this;
        }

        public Builder lrSchedule(String value) {
            lrSchedule = value;
            return this;
        }

        public Builder patience(int value) {
            patience = value;
            return this;
        }

        public Builder runDir(String value) {
            runDir = value;
            return this;
        }

        public Builder resume(String value) {
            resume = value;
            return this;
        }

        public Builder base(String value) {
            base = value;
            return this;
        }

        public Builder freezeUpTo(String value) {
            freezeUpTo = value;
            return this;
        }

        public Builder featuresAt(String value) {
            featuresAt = value;
            return this;
        }

        public Builder cacheFeatures(boolean value) {
            cacheFeatures = value;
            return this;
        }

        public Builder unfreezeAfter(int value) {
            unfreezeAfter = value;
            return this;
        }

        public Builder registry(String value) {
            registry = value;
            return this;
        }

        public JobSpec build() {
            return new JobSpec(model, data, testData, imageSize, preprocessing, preset, epochs, batchSize, validationSplit,
                    stratified, seed, limit, augment, optimizer, lrSchedule, patience, runDir, resume, base,
                    freezeUpTo, featuresAt, cacheFeatures, unfreezeAfter, registry);
        }
    }
}
