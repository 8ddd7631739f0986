package dev.svertka.serve;

import java.nio.file.Files;
import java.util.Map;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.train.JobSpec;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.Topics;
import dev.svertka.model.SeedCnn;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.train.TrainingPipeline;

/** A small seed-cnn trained once per JVM on synthetic digits and loaded into the pipeline. */
final class ServedModel {

    private static TrainingPipeline.Result trained;

    private ServedModel() {
    }

    /**
     * Creates the topics (2 image partitions, so batches hold records of both), trains (first call only) and makes the model
     * current; returns test images to send.
     */
    static synchronized LabeledImages serve(ModelHolder models, TopicsConfig topics, KafkaClients kafka)
            throws Exception {
        Topics.ensure(kafka, Map.of(topics.images(), 2, topics.predictions(), 2, topics.deadLetters(), 1));
        if (trained == null) {
            trained = new TrainingPipeline(System.out).run(JobSpec.builder().data("synthetic:1200").preset(SeedCnn.NAME)
                    .model("digits").epochs(1).batchSize(64).seed(5)
                    .runDir(Files.createTempDirectory("svertka-serve-run-").toString()).build(),
                    new ModelRegistry(Files.createTempDirectory("svertka-serve-registry-")));
        }
        if (models.current().isEmpty()) {
            models.load(trained.version());
        }
        return trained.data().test();
    }
}
