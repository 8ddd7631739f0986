package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import dev.svertka.card.Preprocessing;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.JobSpec;
import dev.svertka.train.TrainingPipeline;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

/**
 * Photos end to end: generated class folders of JPEG and PNG photos of many sizes, a CNN trained on them at 3x64x64
 * with a shorter-side and center-crop recipe, the recipe in the card, and evaluate on the test folders alone.
 */
@QuarkusMainTest
class PhotoTrainingTest {

    @Test
    void aCnnTrainedOnGeneratedPhotosKeepsItsRecipeAndIsEvaluatedOnTheTestFolders(QuarkusMainLauncher launcher)
            throws Exception {
        Path work = Files.createTempDirectory("svertka-photos-");
        Path photos = work.resolve("photos");
        LaunchResult generated = launcher.launch("generate-photos", "--out", photos.toString(), "--per-class", "20",
                "--test-per-class", "8", "--classes", "3", "--seed", "5");
        assertThat(generated.exitCode()).as(generated.getErrorOutput()).isZero();
        assertThat(generated.getOutput()).contains("Generated 84/84 photos");

        Preprocessing recipe = new Preprocessing(Preprocessing.ChannelOrder.RGB, List.of(0.5), List.of(0.25),
                Preprocessing.Resize.SHORTER_SIDE, 72, Preprocessing.Crop.CENTER);
        Path registry = work.resolve("registry");
        TrainingPipeline.Result trained = new TrainingPipeline(System.out).run(JobSpec.builder()
                .data(photos.toString()).imageSize("3x64x64").preprocessing(recipe).model("photos").epochs(10)
                .batchSize(8).validationSplit(0).seed(5).runDir(work.resolve("run").toString()).build(),
                new ModelRegistry(registry));

        ModelCard card = new ModelRegistry(registry).resolve("photos").card();
        assertThat(card.preprocessing()).isEqualTo(recipe);
        assertThat(card.input()).isEqualTo(new InputShape(3, 64, 64));
        assertThat(trained.test().samples()).as("the test/ folders").isEqualTo(24);

        LaunchResult evaluated = launcher.launch("evaluate", "--model", "photos", "--registry", registry.toString(),
                "--data", photos.toString());
        assertThat(evaluated.exitCode()).as(evaluated.getErrorOutput()).isZero();
        assertThat(evaluated.getOutput()).contains("samples=24");
        double accuracy = Double.parseDouble(evaluated.getOutput().replaceAll("(?s).*accuracy=(\\d\\.\\d{4}).*", "$1"));
        assertThat(accuracy).as("well above chance (1/3)").isGreaterThan(0.6);
        // ONNX Runtime fed by evaluate's reading agrees with DL4J fed by the training job's
        assertThat(accuracy).isCloseTo(trained.test().accuracy(), offset(0.001));

        Path strange = work.resolve("strange");
        Files.createDirectories(strange.resolve("dog"));
        try (Stream<Path> reds = Files.list(photos.resolve("test/red-circle"))) {
            Path red = reds.findFirst().orElseThrow();
            Files.copy(red, strange.resolve("dog").resolve(red.getFileName()));
        }
        LaunchResult unknownClass = launcher.launch("evaluate", "--model", "photos", "--registry", registry.toString(),
                "--data", strange.toString());
        assertThat(unknownClass.exitCode()).isEqualTo(1);
        assertThat(unknownClass.getErrorOutput()).contains("class folder 'dog'");

        Path empty = work.resolve("empty");
        Files.createDirectories(empty.resolve("red-circle"));
        LaunchResult nothing = launcher.launch("evaluate", "--model", "photos", "--registry", registry.toString(),
                "--data", empty.toString());
        assertThat(nothing.exitCode()).isEqualTo(1);
        assertThat(nothing.getErrorOutput()).contains("holds no images").doesNotContain("NaN");
    }
}
