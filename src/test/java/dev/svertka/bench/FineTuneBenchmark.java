package dev.svertka.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.svertka.card.Preprocessing;
import dev.svertka.data.SyntheticPhotos;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.JobSpec;
import dev.svertka.train.Trainer;
import dev.svertka.train.TrainingPipeline;
import dev.svertka.train.ZooModels;
import dev.svertka.train.event.ConsoleListener;
import dev.svertka.train.event.TrainingEvent.Published;
import dev.svertka.train.event.TrainingListener;

/**
 * Fine-tuning real backbone architectures on photos at 224x224: the wall time to a trained, exported (with its
 * parity check) and registered model, with the frozen backbone's output cached (the default) and without (full
 * passes every epoch). Not a test: its name keeps it out of {@code ./mvnw verify}. Run it with
 * <pre>./mvnw -B test -Dtest=FineTuneBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbench.photos=2000</pre>
 * The backbones are keras.applications' MobileNetV2 and ResNet50 as {@code applications.py} writes them, with random
 * weights (no ImageNet weights can be fetched offline; the time does not depend on the weights), imported from
 * {@code .h5} as a user's would be, frozen up to their last block ({@code block_16_project_BN},
 * {@code conv5_block2_out}), a new head for 10 classes. The photos are {@link SyntheticPhotos} of 160x120 to
 * 1024x768, read with an ImageNet recipe (shorter side 256, center crop 224). Options: {@code bench.photos} (2000),
 * {@code bench.epochs} (3), {@code bench.batch} (32), {@code bench.backbones} ({@code mobilenetv2,resnet50}),
 * {@code bench.modes} ({@code cached,full}). Results also go to {@code target/benchmark/finetune.md}.
 */
class FineTuneBenchmark {

    private static final int PHOTOS = Integer.getInteger("bench.photos", 2000);
    private static final int EPOCHS = Integer.getInteger("bench.epochs", 3);
    private static final int BATCH = Integer.getInteger("bench.batch", 32);
    private static final List<String> BACKBONES = List.of(System.getProperty("bench.backbones",
            "mobilenetv2,resnet50").split(","));
    private static final List<String> MODES = List.of(System.getProperty("bench.modes", "cached,full").split(","));
    private static final int CLASSES = 10;
    private static final Path WORK = Path.of("target", "benchmark");

    private final List<String> lines = new ArrayList<>();

    /** A backbone: its .h5 from applications.py, and the vertex it is frozen up to. */
    private record Backbone(String name, String file, String freezeUpTo) {
    }

    private static final List<Backbone> KNOWN = List.of(
            new Backbone("mobilenetv2", "mobilenet_v2.h5", "block_16_project_BN"),
            new Backbone("resnet50", "resnet50.h5", "conv5_block2_out"));

    @Test
    void run() throws Exception {
        Path photos = photos();
        Path keras = kerasApplications();
        report("%d photos (%d classes, %d test photos per class) at 3x224x224, %d epochs, batch %d, %s",
                PHOTOS, CLASSES, 5, EPOCHS, BATCH, System.getProperty("os.arch"));
        report("| backbone | features | to a registered model (s) | of it: epochs (s) | featurize + load + test + export (s) | test accuracy |");
        report("|---|---|---|---|---|---|");
        for (Backbone backbone : KNOWN) {
            if (!BACKBONES.contains(backbone.name())) {
                continue;
            }
            for (String mode : MODES) {
                measure(backbone, keras.resolve(backbone.file()), photos, mode.equals("cached"));
            }
        }
        Files.writeString(WORK.resolve("finetune.md"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private void measure(Backbone backbone, Path base, Path photos, boolean cached) throws Exception {
        long started = System.nanoTime();
        long[] published = {0};
        TrainingListener timing = event -> {
            if (event instanceof Published) {
                published[0] = System.nanoTime();
            }
        };
        JobSpec spec = JobSpec.builder().data(photos.toString()).imageSize("3x224x224")
                .preprocessing(new Preprocessing(null, List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                        Preprocessing.Resize.SHORTER_SIDE, 256, Preprocessing.Crop.CENTER))
                .model("bench-" + backbone.name()).base(base.toString()).freezeUpTo(backbone.freezeUpTo())
                .epochs(EPOCHS).batchSize(BATCH).validationSplit(0.1).seed(42).cacheFeatures(cached)
                .runDir(Files.createTempDirectory("svertka-bench-run-").toString()).build();
        TrainingPipeline.Result result = new TrainingPipeline(TrainingListener.all(timing,
                new ConsoleListener(System.out)), null, ZooModels.defaults(TrainingListener.NONE))
                .run(spec, new ModelRegistry(Files.createTempDirectory("svertka-bench-registry-")));
        double toModel = (published[0] - started) / 1e9;
        double epochs = result.history().stream().mapToDouble(Trainer.EpochMetrics::seconds).sum();
        report("| %s | %s | %.0f | %.0f | %.0f | %.3f |", backbone.name(), cached ? "cached" : "full passes", toModel,
                epochs, toModel - epochs, result.test().accuracy());
    }

    private static Path photos() throws Exception {
        Path dir = WORK.resolve("photos-" + PHOTOS);
        if (!Files.isDirectory(dir)) {
            SyntheticPhotos.write(dir, new SyntheticPhotos.Plan(PHOTOS / CLASSES, 5, CLASSES, 42),
                    (written, total) -> {
                        if (written % 200 == 0) {
                            System.out.printf("photos %d/%d%n", written, total);
                        }
                    });
        }
        return dir;
    }

    private static Path kerasApplications() throws Exception {
        Path dir = WORK.resolve("keras");
        if (!Files.isRegularFile(dir.resolve("resnet50.h5"))) {
            Process python = new ProcessBuilder("/usr/bin/python3", "src/test/resources/keras/applications.py",
                    dir.toString(), "--classes", "1000").inheritIO().start();
            if (!python.waitFor(10, TimeUnit.MINUTES) || python.exitValue() != 0) {
                throw new IllegalStateException("applications.py failed (Debian's python3-numpy and python3-h5py)");
            }
        }
        return dir;
    }

    private void report(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println(line);
        lines.add(line);
    }
}
