package dev.svertka.train;

import dev.svertka.train.event.MetricsFile;
import dev.svertka.report.TrainingReport;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;

class TrainingPipelineTest {

    @TempDir
    Path registry;

    @Test
    void trainsExportsChecksAndStoresAModel() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        JobSpec spec = JobSpec.builder().data("synthetic:1200").preset(SeedCnn.NAME).model("digits").epochs(2)
                .batchSize(32).validationSplit(0.25).seed(5).runDir(registry.resolve("run").toString()).build();

        TrainingPipeline.Result result = new TrainingPipeline(new PrintStream(log, true, StandardCharsets.UTF_8))
                .run(spec, new ModelRegistry(registry));

        assertThat(result.history()).hasSize(2);
        Trainer.EpochMetrics last = result.history().get(1);
        assertThat(last.loss()).as("the loss falls").isLessThan(result.history().get(0).loss());
        assertThat(last.valAccuracy()).isBetween(0.0, 1.0);
        assertThat(result.test().samples()).isEqualTo(200);
        assertThat(result.parity().samples()).isEqualTo(200);
        assertThat(result.parity().maxAbsDiff()).isLessThan(1e-4);
        assertThat(result.parity().argmaxMismatches()).isZero();

        ModelVersion stored = new ModelRegistry(registry).resolve("digits");
        assertThat(stored.card().version()).isEqualTo(1);
        assertThat(stored.card().labels()).hasSize(10);
        assertThat(stored.card().metrics()).containsKeys("test_accuracy", "val_loss", "loss");
        assertThat(stored.card().hyperParameters()).containsEntry("validation_split", "0.25");
        assertThat(Files.size(stored.onnxFile())).isGreaterThan(1_000_000); // 297,578 float weights
        assertThat(stored.checkpointFile()).exists();

        String printed = log.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("ND4J backend: CpuBackend, 1 device(s)");
        assertThat(printed).contains("Epoch 1/2 - ").contains("Epoch 2/2 - ").contains("val_accuracy: ")
                .contains("Training seed-cnn on 900 images, validating on 300");
    }

    @Test
    void aBadDataDirectoryIsAClearError() {
        JobSpec spec = JobSpec.builder().data(registry.resolve("nowhere").toString()).model("x").epochs(1)
                .runDir(registry.resolve("run").toString()).build();

        assertThatThrownBy(() -> new TrainingPipeline(new PrintStream(new ByteArrayOutputStream())).run(spec,
                new ModelRegistry(registry))).hasMessageContaining("nowhere");
    }

    @Test
    void aValidationSplitOfOneOrMoreIsRefused() {
        assertThatThrownBy(() -> JobSpec.builder().validationSplit(1.0).build())
                .hasMessageContaining("validationSplit must be in [0, 1)");
    }

    @Test
    void trainsFromClassFoldersThenResumesThenFineTunesTheStoredModel(@TempDir Path work) throws Exception {
        Path folders = work.resolve("digits");
        dev.svertka.data.LabeledImages digits = dev.svertka.data.SyntheticDigits.generate(360, 9);
        for (int i = 0; i < digits.size(); i++) {
            Path file = folders.resolve(i < 300 ? "train" : "test").resolve("digit-" + digits.labels()[i])
                    .resolve(i + ".png");
            Files.createDirectories(file.getParent());
            Files.write(file, dev.svertka.image.ImageEncoder.png(digits, i));
        }
        Files.write(folders.resolve("train/digit-3/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        Path run = work.resolve("run");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingPipeline job = new TrainingPipeline(new PrintStream(log, true, StandardCharsets.UTF_8));
        JobSpec spec = JobSpec.builder().data(folders.toString()).preset(SeedCnn.NAME).model("folders").epochs(1)
                .batchSize(30).validationSplit(0.2).seed(3).stratified(true).augment("rotation_range=10,zoom_range=0.1")
                .optimizer("sgd:0.05").lrSchedule("step:0.5:1").patience(2).runDir(run.toString()).build();

        TrainingPipeline.Result first = job.run(spec, new ModelRegistry(registry));

        assertThat(first.data().description()).contains("1 unreadable files skipped", "digit-0");
        assertThat(first.test().samples()).as("the test/ folder").isEqualTo(60);
        assertThat(Files.readAllLines(run.resolve(MetricsFile.NAME))).hasSize(1);
        assertThat(first.version().card().hyperParameters()).containsEntry("split", "stratified")
                .containsEntry("augmentation", "rotation_range=10.0,zoom_range=0.1,fill_mode=nearest")
                .containsEntry("optimizer", "sgd(lr=0.05, momentum=0.9, step:0.5:1)");
        Path report = run.resolve("report");
        assertThat(Files.readString(report.resolve(TrainingReport.PAGE))).contains("Test accuracy", "digit-9",
                "confusion.png", "saliency.png", "activations.png");
        for (String png : new String[] {"curves.png", "confusion.png", "per-class.png", "misclassified.png",
                "filters.png", "activations.png", "saliency.png"}) {
            java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(report.resolve(png).toFile());
            assertThat(picture.getWidth() * picture.getHeight()).as(png).isGreaterThan(2000);
            assertThat(java.util.Arrays.stream(picture.getRGB(0, 0, picture.getWidth(), picture.getHeight(), null, 0,
                    picture.getWidth())).distinct().count()).as(png + " is not blank").isGreaterThan(2);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).containsPattern("on 2[34]\\d images, validating on 6[01],");

        TrainingPipeline.Result resumed = job.run(spec.toBuilder().epochs(2).augment("none").optimizer(null)
                .lrSchedule("constant").patience(0).resume(run.resolve(Trainer.LAST_CHECKPOINT).toString()).build(),
                new ModelRegistry(registry));

        assertThat(resumed.history()).extracting(Trainer.EpochMetrics::epoch).containsExactly(2);
        assertThat(resumed.history().get(0).learningRate()).as("the stored schedule goes on").isEqualTo(0.025);
        assertThat(resumed.version().card().version()).isEqualTo(2);

        TrainingPipeline.Result tuned = job.run(JobSpec.builder().data(folders.toString()).preset(SeedCnn.NAME)
                .model("tuned").epochs(2).batchSize(30).validationSplit(0.2).seed(3).base("folders:1")
                .freezeUpTo("dropout_1").unfreezeAfter(1).runDir(registry.resolve("tuned-run").toString()).build(),
                new ModelRegistry(registry));

        assertThat(FineTuning.frozenLayers(tuned.network())).as("unfrozen after epoch 1").isZero();
        assertThat(tuned.version().card().preset()).isEqualTo("fine-tuned from folders:1");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Fine-tuning folders:1: new head for 10 classes, 4"
                + " layers frozen").contains("Unfreezing all layers after epoch 1");
        assertThat(tuned.parity().argmaxMismatches()).isZero();
    }
}
