package dev.svertka.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.svertka.card.Preprocessing;
import dev.svertka.jobs.TrainerConfig;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import dev.svertka.train.JobSpec;
import dev.svertka.train.TrainingPipeline;
import dev.svertka.train.ZooConfig;
import dev.svertka.train.ZooModels;
import dev.svertka.train.event.ConsoleListener;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@NeedsTrainingStack
@Command(name = "train", mixinStandardHelpOptions = true, defaultValueProvider = JobDefaults.class,
        description = "Train a preset (or fine-tune a stored model), export it to ONNX (checked against DL4J) and store it"
                + " as a new model version.")
public class TrainCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--data",
            description = "'synthetic', 'synthetic:N', a directory of IDX files, or of class folders (one subfolder per"
                    + " class; optionally train/ and test/ holding those), or a labelled Kafka topic:"
                    + " kafka:TOPIC?bootstrap=HOST:PORT&max=N&timeout=30s&classes=a,b (each optional; bootstrap default:"
                    + " kafka.bootstrap.servers) (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--test-data", description = "A separate test set: class folders or any --data value.")
    String testData;

    @Option(names = "--image-size",
            description = "CHANNELSxHEIGHTxWIDTH class-folder and topic images are converted and resized to, whole"
                    + " (aspect not kept) unless --preprocessing says otherwise (default: ${DEFAULT-VALUE}).")
    String imageSize;

    @Option(names = "--preprocessing", converter = PreprocessingConverter.class,
            description = "How pictures become input, written into the model card: field=value,... of resize"
                    + " (stretch|shorter-side), resizeTo, crop (none|center), mean and std (one, or one per channel,"
                    + " joined by /), channelOrder (RGB|BGR); e.g. resize=shorter-side,resizeTo=73,crop=center,"
                    + "mean=0.485/0.456/0.406,std=0.229/0.224/0.225 (default: stretched, scaled to 0..1).")
    Preprocessing preprocessing;

    @Option(names = "--preset", description = "Network preset: seed-cnn, deep-cnn (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--epochs", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--validation-split",
            description = "Fraction of training images held out for validation (default: ${DEFAULT-VALUE}).")
    double validationSplit;

    @Option(names = "--stratified", description = "Hold out a seeded share of each class instead of the last images"
            + " (as Keras does).")
    boolean stratified;

    @Option(names = "--augment",
            description = "Augmentation of training images, e.g. rotation_range=10,width_shift_range=0.1@0.5,"
                    + "zoom_range=0.1,fill_mode=nearest (see the preview command) (default: ${DEFAULT-VALUE}).")
    String augment;

    @Option(names = "--optimizer", description = "adam[:LR] or sgd[:LR[:MOMENTUM]] (default: the preset's adam:0.001;"
            + " fine-tuning: adam:0.0001).")
    String optimizer;

    @Option(names = "--lr-schedule",
            description = "constant, step:FACTOR:EVERY_EPOCHS or exponential:FACTOR (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--patience",
            description = "Stop when val_loss has not improved for this many epochs; 0: never"
                    + " (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--run-dir", description = "Write metrics.jsonl, best.zip and last.zip (checkpoints) and"
            + " report/report.html here (default: RUNS/MODEL, RUNS being svertka.trainer.runs: ./runs, in the"
            + " images /home/svertka/runs).")
    Path runDir;

    @Option(names = "--resume", description = "Continue training from a checkpoint (a run's last.zip).")
    Path resume;

    @Option(names = "--base", description = "Fine-tune this model: NAME[:VERSION] in the registry, a checkpoint .zip,"
            + " a Keras model .h5, or a DL4J zoo model zoo:NAME (pretrained; &sha256=HEX pins the weights file) or"
            + " zoo:NAME?weights=none (untrained); its head is replaced for the new classes.")
    String base;

    @Option(names = "--freeze-up-to", description = "With --base: freeze the vertices up to this name, or the layers"
            + " up to this index.")
    String freezeUpTo;

    @Option(names = "--features-at", description = "With --base: the vertex the new head (global average pooling and"
            + " softmax) reads; the old head after it is cut off (default: the last feature maps).")
    String featuresAt;

    @Option(names = "--cache-features", negatable = true, fallbackValue = "true", description = "With frozen"
            + " layers and no augmentation: run them once per image and train the rest on their cached output"
            + " (default: ${DEFAULT-VALUE}; --no-cache-features makes full passes every epoch).")
    boolean cacheFeatures;

    @Option(names = "--unfreeze-after", description = "With --freeze-up-to: train all layers after this many epochs;"
            + " 0: never (default: ${DEFAULT-VALUE}).")
    int unfreezeAfter;

    @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit",
            description = "Use at most this many training images, 0 for all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--registry", description = "Model registry directory (default: registry).")
    Path registry;

    @Option(names = "--model",
            description = "Name to store the model under; a new version is added (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--spec", description = "Run the job described by this JSON file (the options above in camelCase,"
            + " e.g. {\"model\":\"m\",\"data\":\"DIR\",\"epochs\":5}); options given beside it override its"
            + " fields.")
    Path specFile;

    @Spec
    CommandSpec command;

    @Option(names = "--promote", description = "Make the stored version live and announce it on the models topic,"
            + " so that running inference pods switch to it (as the trainer service does).")
    boolean promote;

    /** The cluster of kafka: data without bootstrap= and of --promote's announcement. */
    @Mixin
    KafkaAddress address;

    @Inject
    KafkaClients configured;

    @Inject
    ModelsConfig models;

    @Inject
    ZooConfig zoo;

    @Inject
    TrainerConfig trainer;

    @Override
    public Integer call() throws Exception {
        JobSpec job = specFile != null ? overridden(JobSpec.read(specFile)) : jobSpec();
        if (job.runDir() == null) {
            // the trainer service's runs directory: absolute where the image sets it (its working dir is read-only)
            job = job.toBuilder().runDir(Path.of(trainer.runs(), job.model()).toString()).build();
        }
        ConsoleListener console = new ConsoleListener(System.out);
        KafkaClients kafka = address.over(configured);
        ModelRegistry registry = new ModelRegistry(job.registryOr(Path.of("registry")));
        ModelVersion stored = new TrainingPipeline(console, kafka, ZooModels.of(zoo, console)).run(job, registry)
                .version();
        if (promote) {
            ModelVersion live = registry.promote(stored.card().name(), stored.card().version());
            System.out.println("Live: " + live.card().reference());
            RegistryCommand.announce(live, kafka, models.topic());
        }
        return 0;
    }

    /**
     * The spec file's job with the options given on the command line (not those left at their defaults) put over
     * its fields, each said once: a Kubernetes Job's {@code --registry /registry} must not be silently dropped.
     */
    JobSpec overridden(JobSpec fromFile) throws IOException {
        ObjectNode fields = JSON.valueToTree(fromFile);
        JsonNode given = JSON.valueToTree(jobSpec());
        for (OptionSpec option : command.commandLine().getParseResult().matchedOptions()) {
            String field = JobDefaults.jsonName(option.longestName());
            if (given.has(field)) {
                System.out.printf("%s overrides %s's %s: %s%n", option.longestName(), specFile, field,
                        given.get(field));
                fields.set(field, given.get(field));
            }
        }
        return JobSpec.parse(fields.toString());
    }

    /** The job the options describe; options not given hold {@link JobSpec}'s defaults (see {@link JobDefaults}). */
    JobSpec jobSpec() {
        return JobSpec.builder().model(model).data(data).testData(testData).imageSize(imageSize)
                .preprocessing(preprocessing).preset(preset)
                .epochs(epochs).batchSize(batchSize).validationSplit(validationSplit).stratified(stratified).seed(seed)
                .limit(limit).augment(augment).optimizer(optimizer).lrSchedule(schedule).patience(patience)
                .runDir(runDir == null ? null : runDir.toString()).resume(resume == null ? null : resume.toString())
                .base(base).freezeUpTo(freezeUpTo).featuresAt(featuresAt).cacheFeatures(cacheFeatures).unfreezeAfter(unfreezeAfter).registry(registry == null ? null : registry.toString()).build();
    }
}
