package dev.svertka.serve;

import java.nio.file.Path;

import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.JobSpec;
import dev.svertka.train.TrainingPipeline;

/** The small model the multi-process tests serve: {@code digits}, trained for one epoch into {@code work/registry}. */
public final class TrainedDigits {

    private TrainedDigits() {
    }

    public static TrainingPipeline.Result into(Path work, long seed) throws Exception {
        return new TrainingPipeline(System.out).run(JobSpec.builder()
                .data("synthetic:1200").preset(SeedCnn.NAME).model("digits").epochs(1).batchSize(64).seed(seed)
                .runDir(work.resolve("run").toString()).build(), new ModelRegistry(work.resolve("registry")));
    }
}
