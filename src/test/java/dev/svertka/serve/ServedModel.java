package dev.svertka.serve;

import java.nio.file.Files;

import dev.svertka.data.LabeledImages;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.TrainingJob;

/** A small seed-cnn trained once per JVM on synthetic digits and loaded into the pipeline. */
final class ServedModel {

    private static TrainingJob.Result trained;

    private ServedModel() {
    }

    /** Trains (first call only) and makes the model current; returns test images to send. */
    static synchronized LabeledImages load(ModelHolder models) throws Exception {
        if (trained == null) {
            trained = new TrainingJob(System.out).run(new TrainingJob.Spec("synthetic:1200", SeedCnn.NAME, "digits",
                    1, 64, 0.1, 5, 0), new ModelRegistry(Files.createTempDirectory("svertka-serve-registry-")));
        }
        if (models.current().isEmpty()) {
            models.load(trained.version());
        }
        return trained.data().test();
    }
}
