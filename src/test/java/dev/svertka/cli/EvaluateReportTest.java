package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.svertka.train.JobSpec;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.TrainingPipeline;
import dev.svertka.report.TrainingReport;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

@QuarkusMainTest
class EvaluateReportTest {

    @Test
    void evaluateWritesAReportFromTheStoredCheckpoint(QuarkusMainLauncher launcher) throws Exception {
        Path work = Files.createTempDirectory("svertka-evaluate-report-");
        new TrainingPipeline(System.out).run(JobSpec.builder().data("synthetic:300").model("small").epochs(1)
                .batchSize(32).seed(5).runDir(work.resolve("run").toString()).build(),
                new ModelRegistry(work.resolve("registry")));
        Path report = work.resolve("report");

        LaunchResult result = launcher.launch("evaluate", "--model", "small", "--registry",
                work.resolve("registry").toString(), "--data", "synthetic:300", "--seed", "5", "--report",
                report.toString());

        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        assertThat(result.getOutput()).contains("accuracy=", "Report: ");
        assertThat(Files.readString(report.resolve(TrainingReport.PAGE))).contains("Evaluation only",
                "Confusion matrix", "saliency.png");
        for (String png : new String[] {"confusion.png", "per-class.png", "filters.png", "activations.png",
                "saliency.png"}) {
            assertThat(Files.size(report.resolve(png))).as(png).isGreaterThan(200);
        }
        assertThat(report.resolve("curves.png")).as("no history, no curves").doesNotExist();
    }
}
