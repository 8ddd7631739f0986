package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.svertka.data.SyntheticPhotos;
import dev.svertka.kafka.EmbeddedKafka;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.registry.LivePointer;
import dev.svertka.train.JobSpec;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.TrainingPipeline;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** The packaged command line, run in-process as a user would call it. */
@QuarkusMainTest
class CommandLineTest {

    @Test
    @Launch("summary")
    void summaryPrintsTheKerasTable(LaunchResult result) {
        assertThat(result.getOutput()).contains("conv2d_1 (Conv2D)", "flatten (Flatten)", "Total params: 297,578");
    }

    @Test
    void everyCommandExplainsItsOptions(QuarkusMainLauncher launcher) {
        assertThat(launcher.launch("--help").getOutput())
                .contains("summary", "train", "evaluate", "serve", "send", "demo");
        assertThat(launcher.launch("train", "--help").getOutput())
                .contains("--data", "--preset", "--epochs", "--batch-size", "--validation-split", "--seed", "--registry",
                        "--model");
        assertThat(launcher.launch("evaluate", "--help").getOutput()).contains("--model", "--data", "--registry");
        assertThat(launcher.launch("serve", "--help").getOutput())
                .contains("--model", "--registry", "--bootstrap-servers", "--topic");
        assertThat(launcher.launch("send", "--help").getOutput())
                .contains("--bootstrap-servers", "--topic", "--images", "--data", "--count");
        assertThat(launcher.launch("demo", "--help").getOutput()).contains("--images", "--data");
    }

    @Test
    void trainFineTunesAZooGraphBackboneOnPhotoFolders(QuarkusMainLauncher launcher) throws Exception {
        Path work = Files.createTempDirectory("svertka-cli-graph-");
        SyntheticPhotos.write(work.resolve("photos"), new SyntheticPhotos.Plan(10, 3, 3, 6), SyntheticPhotos.Progress.NONE);

        LaunchResult result = launcher.launch("train", "--data", work.resolve("photos").toString(), "--image-size",
                "3x32x32", "--base", "zoo:vgg16?weights=none", "--freeze-up-to", "9", "--epochs", "1",
                "--batch-size", "10", "--model", "cli-graph", "--registry", work.resolve("registry").toString(),
                "--run-dir", work.resolve("run").toString());

        assertThat(result.exitCode()).as(result.getOutput() + result.getErrorOutput()).isZero();
        assertThat(result.getOutput()).contains("Frozen layers run once per image", "ONNX parity on");
        assertThat(new ModelRegistry(work.resolve("registry")).resolve("cli-graph:1").onnxFile()).exists();
    }

    @Test
    void evaluatePrintsTheAccuracyOfAStoredModel(QuarkusMainLauncher launcher) throws Exception {
        Path registry = Files.createTempDirectory("svertka-cli-test-");
        TrainingPipeline.Result trained = new TrainingPipeline(System.out).run(JobSpec.builder()
                .data("synthetic:1200").model("digits").epochs(1).batchSize(32).seed(5)
                .runDir(Files.createTempDirectory("svertka-test-run-").toString()).build(), new ModelRegistry(registry));

        LaunchResult result = launcher.launch("evaluate", "--model", "digits:1", "--registry", registry.toString(),
                "--data", "synthetic:1200", "--seed", "5");

        assertThat(result.exitCode()).isZero();
        assertThat(result.getOutput()).containsPattern("accuracy=0\\.\\d{4}");
        double printed = Double.parseDouble(result.getOutput().replaceAll("(?s).*accuracy=(0\\.\\d{4}).*", "$1"));
        // the same ONNX model on the same test images as the training job's DL4J evaluation
        assertThat(printed).isCloseTo(trained.test().accuracy(), org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void trainPromotesAndAnnouncesWhatItStoredWhenAsked(QuarkusMainLauncher launcher) throws Exception {
        Path work = Files.createTempDirectory("svertka-cli-promote-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(work.resolve("kafka")));
                RecordCollector models = new RecordCollector(kafka.clients(), List.of("models"))) {
            LaunchResult result = launcher.launch("train", "--data", "synthetic:300", "--epochs", "1", "--model",
                    "promoted", "--registry", work.resolve("registry").toString(), "--run-dir",
                    work.resolve("run").toString(), "--promote", "--bootstrap-servers", kafka.bootstrapServers());

            assertThat(result.exitCode()).as(result.getOutput() + result.getErrorOutput()).isZero();
            assertThat(result.getOutput()).contains("Live: promoted:1", "Announced promoted:1");
            assertThat(new ModelRegistry(work.resolve("registry")).live("promoted")).get()
                    .extracting(LivePointer::version).isEqualTo(1);
            assertThat(models.until(records -> !records.isEmpty(), Duration.ofSeconds(30)))
                    .anySatisfy(record -> assertThat(record.key()).isEqualTo("promoted"));
        }
    }

    @Test
    void mistakesAreOneClearLineAndAFailingExitCode(QuarkusMainLauncher launcher) throws Exception {
        Path registry = Files.createTempDirectory("svertka-cli-test-");

        LaunchResult unknownModel = launcher.launch("evaluate", "--model", "nothing", "--registry", registry.toString());
        assertThat(unknownModel.exitCode()).isEqualTo(1);
        assertThat(unknownModel.getErrorOutput()).contains("error: No model named 'nothing'");

        LaunchResult unknownPreset = launcher.launch("summary", "--preset", "vgg-9000");
        assertThat(unknownPreset.exitCode()).isEqualTo(1);
        assertThat(unknownPreset.getErrorOutput()).contains("unknown preset 'vgg-9000'");
    }
}
