package dev.svertka.train;

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

class TrainingJobTest {

    @TempDir
    Path registry;

    @Test
    void trainsExportsChecksAndStoresAModel() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingJob.Spec spec = new TrainingJob.Spec("synthetic:1200", SeedCnn.NAME, "digits", 2, 32, 0.25, 5, 0);

        TrainingJob.Result result = new TrainingJob(new PrintStream(log, true, StandardCharsets.UTF_8))
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
        assertThat(printed).contains("Epoch 1/2 - ").contains("Epoch 2/2 - ").contains("val_accuracy: ")
                .contains("Training seed-cnn on 900 images, validating on 300");
    }

    @Test
    void aBadDataDirectoryIsAClearError() {
        TrainingJob.Spec spec = new TrainingJob.Spec(registry.resolve("nowhere").toString(), SeedCnn.NAME, "x", 1,
                32, 0.1, 1, 0);

        assertThatThrownBy(() -> new TrainingJob(new PrintStream(new ByteArrayOutputStream())).run(spec,
                new ModelRegistry(registry))).hasMessageContaining("nowhere");
    }

    @Test
    void aValidationSplitOfOneOrMoreIsRefused() {
        assertThatThrownBy(() -> new TrainingJob.Spec("synthetic", SeedCnn.NAME, "x", 1, 32, 1.0, 1, 0))
                .hasMessageContaining("validation split");
    }
}
