package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.train.event.MetricsFile;
import dev.svertka.train.event.TrainingEvent.EpochFinished;
import dev.svertka.train.event.ConsoleListener;
import dev.svertka.backend.OneDnnHelpers;
import dev.svertka.data.Augmentation;
import dev.svertka.data.LabeledImages;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;

class TrainerTest {

    @TempDir
    Path run;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final Trainer trainer = new Trainer(new ConsoleListener(new PrintStream(log, true, StandardCharsets.UTF_8)));

    @Test
    void writesJsonMetricsPerEpochWithTheScheduledLearningRateAndResumesAfterTheLastEpoch() throws Exception {
        LabeledImages digits = SyntheticDigits.generate(250, 1);
        ComputationGraph network = network(Optimizer.parse("sgd:0.02", "step:0.5:1"), digits);
        Trainer.Options twoEpochs = new Trainer.Options(2, 32, 1, Augmentation.NONE, 0, run, true);

        // validated on the training images, whose loss falls each epoch, from a fixed random state (dropout): the
        // network ends with its last epoch's weights
        Nd4j.getRandom().setSeed(1);
        trainer.fit(network, digits.slice(0, 200), digits.slice(0, 200), twoEpochs);

        List<JsonNode> lines = metrics();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("epoch").asInt()).isEqualTo(1);
        assertThat(lines.get(0).has("val_loss")).isTrue();
        assertThat(lines.get(0).get("lr").asDouble()).isCloseTo(0.02, offset(1e-9));
        assertThat(lines.get(1).get("lr").asDouble()).as("halved after one epoch").isCloseTo(0.01, offset(1e-9));
        assertThat(run.resolve(Trainer.LAST_CHECKPOINT)).exists();

        ComputationGraph resumed = ModelSerializer.restoreComputationGraph(run.resolve(Trainer.LAST_CHECKPOINT)
                .toFile(), true);
        assertThat(resumed.getEpochCount()).isEqualTo(2);
        assertThat(resumed.params()).isEqualTo(network.params());
        List<Trainer.EpochMetrics> more = trainer.fit(resumed, digits.slice(0, 200), digits.slice(0, 200),
                new Trainer.Options(3, 32, 1, Augmentation.NONE, 0, run, true));

        assertThat(more).extracting(Trainer.EpochMetrics::epoch).containsExactly(3);
        assertThat(more.get(0).learningRate()).as("the schedule continues").isCloseTo(0.005, offset(1e-9));
        assertThat(resumed.params()).isNotEqualTo(network.params());
        assertThat(metrics()).hasSize(3);
    }

    @Test
    void stopsEarlyWhenTheValidationLossRisesAndKeepsTheBestEpoch() throws Exception {
        LabeledImages digits = SyntheticDigits.generate(400, 2);
        LabeledImages train = digits.slice(0, 320);
        // validation images with wrong labels: the better the net learns, the higher their loss
        LabeledImages held = digits.slice(320, 400);
        LabeledImages misleading = new LabeledImages(held.shape(), held.pixels(),
                IntStream.of(held.labels()).map(l -> (l + 1) % 10).toArray(), held.classNames());
        ComputationGraph network = network(null, digits);

        List<Trainer.EpochMetrics> history = trainer.fit(network, train, misleading,
                new Trainer.Options(5, 32, 2, Augmentation.NONE, 1, run, true));

        assertThat(history).as("stopped an epoch after the best").hasSizeLessThan(5);
        Trainer.EpochMetrics best = history.stream().min(java.util.Comparator.comparingDouble(
                Trainer.EpochMetrics::valLoss)).orElseThrow();
        assertThat(history.get(history.size() - 1).epoch() - best.epoch()).isEqualTo(1);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Early stopping", "Keeping the weights of epoch "
                + best.epoch());
        ComputationGraph saved = ModelSerializer.restoreComputationGraph(run.resolve(Trainer.BEST_CHECKPOINT)
                .toFile(), false);
        assertThat(saved.getEpochCount()).isEqualTo(best.epoch());
        assertThat(network.params()).as("the network ends with its best weights").isEqualTo(saved.params());
        assertThat(Evaluation.of(network, misleading, 100).loss()).isCloseTo(best.valLoss(), offset(1e-4));
    }

    private static ComputationGraph network(Optimizer optimizer, LabeledImages digits) {
        MultiLayerConfiguration conf = Presets.named(SeedCnn.NAME).configuration(digits.shape(), digits.classes(), 1);
        if (optimizer != null) {
            optimizer.applyTo(conf);
        }
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return Graphs.of(network);
    }

    @Test
    void saysWhichLayersRunOnOneDnnAndReportsFallbacksInTheEpochLineAndTheMetrics() throws Exception {
        LabeledImages digits = SyntheticDigits.generate(100, 2);
        trainer.fit(Graphs.of(Presets.build(SeedCnn.NAME, digits.shape(), 10, 1)), digits, null, new Trainer.Options(1, 50, 1));
        assertThat(log.toString(StandardCharsets.UTF_8)).contains(OneDnnHelpers.inNatives()
                ? "oneDNN layer helpers: convolution 2/2, subsampling 1/1" : "oneDNN: not in the loaded ND4J natives");

        Trainer.EpochMetrics fellBack = new Trainer.EpochMetrics(2, 0.5, 0.8, Double.NaN, Double.NaN, 3, 100, 1e-3, 1);
        assertThat(new EpochFinished(5, fellBack).text()).endsWith(" - onednn_fallbacks: 1");
        assertThat(MetricsFile.fields(fellBack).get("onednn_fallbacks")).isEqualTo(1);
        Trainer.EpochMetrics clean = new Trainer.EpochMetrics(2, 0.5, 0.8, Double.NaN, Double.NaN, 3, 100, 1e-3, 0);
        assertThat(new EpochFinished(5, clean).text()).doesNotContain("onednn");
    }

    private List<JsonNode> metrics() throws Exception {
        ObjectMapper json = new ObjectMapper();
        return Files.readAllLines(run.resolve(MetricsFile.NAME)).stream().map(line -> {
            try {
                return json.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }).toList();
    }
}
