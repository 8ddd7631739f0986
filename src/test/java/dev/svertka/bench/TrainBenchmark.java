package dev.svertka.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.data.Datasets;
import dev.svertka.data.IdxDataset;
import dev.svertka.data.LabeledImages;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;
import dev.svertka.train.Evaluation;
import dev.svertka.train.Trainer;

/**
 * The training benchmark (issue 7), not a test: its name keeps it out of {@code ./mvnw verify}. Run it with
 * <pre>./mvnw -B test -Dtest=TrainBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * It trains a preset on the first {@code bench.images} Fashion-MNIST training images (Debian's
 * {@code dataset-fashion-mnist}) with the project's {@link Trainer}, then the same network in PyTorch
 * ({@code benchmarks/train_reference.py}, Debian's {@code python3-torch}) with the same batch size, epochs
 * and thread count ({@code OMP_NUM_THREADS}, else all cores), and prints images/s over the epochs
 * (data feeding included), test accuracy and the ratio. Results also go to {@code target/benchmark/train.md}.
 */
class TrainBenchmark {

    private static final Path DATA = Path.of(System.getProperty("bench.data", Datasets.DEBIAN_FASHION_MNIST.toString()));
    private static final int IMAGES = Integer.getInteger("bench.images", 20_000);
    private static final int EPOCHS = Integer.getInteger("bench.epochs", 1);
    private static final int BATCH = Integer.getInteger("bench.batch", 128);
    private static final String PRESET = System.getProperty("bench.preset", SeedCnn.NAME);
    private static final long SEED = 42;

    private final List<String> lines = new ArrayList<>();

    @Test
    void run() throws Exception {
        int threads = threads();
        report("machine: %d cores, threads %d, load average before: %s", Runtime.getRuntime().availableProcessors(),
                threads, load());
        report("ND4J backend: %s, native library: %s, DL4J oneDNN layer helpers: %s",
                Nd4j.getBackend().getClass().getSimpleName(),
                Loader.getLoadedLibraries().get("jnind4jcpu"), // which classifier's build JavaCPP picked
                BaseMKLDNNHelper.mklDnnEnabled());
        IdxDataset data = IdxDataset.open(DATA);
        LabeledImages train = data.train().slice(0, Math.min(IMAGES, data.train().size()));
        report("%s: %s on %d training images, %d epoch(s), batch %d", DATA, PRESET, train.size(), EPOCHS, BATCH);

        MultiLayerConfiguration configuration = Presets.named(PRESET).configuration(train.shape(), train.classes(), SEED);
        // levers measured in BENCHMARKS.md; unset, the preset trains as the trainer builds it
        String workspaceMode = System.getProperty("bench.workspaceMode");
        if (workspaceMode != null) {
            configuration.setTrainingWorkspaceMode(WorkspaceMode.valueOf(workspaceMode));
        }
        String cacheMode = System.getProperty("bench.cacheMode");
        if (cacheMode != null) {
            configuration.setCacheMode(CacheMode.valueOf(cacheMode));
            configuration.getConfs().forEach(layer -> layer.setCacheMode(CacheMode.valueOf(cacheMode)));
        }
        report("training workspace mode %s, cache mode %s", configuration.getTrainingWorkspaceMode(),
                configuration.getCacheMode());
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        List<Trainer.EpochMetrics> epochs = new Trainer(System.out).fit(network, train, null,
                new Trainer.Options(EPOCHS, BATCH, SEED));
        double seconds = epochs.stream().mapToDouble(Trainer.EpochMetrics::seconds).sum();
        double dl4j = (double) train.size() * EPOCHS / seconds;
        double dl4jAccuracy = Evaluation.of(network, data.test(), 256).accuracy();
        report("DL4J    : %,.0f images/s (%.1f s), test accuracy %.4f", dl4j, seconds, dl4jAccuracy);

        Map<?, ?> torch = pytorch(threads, train.size());
        double reference = ((Number) torch.get("images_per_second")).doubleValue();
        report("PyTorch : %,.0f images/s (%s s), test accuracy %.4f (torch %s, %s threads)", reference,
                torch.get("epoch_seconds"), ((Number) torch.get("test_accuracy")).doubleValue(), torch.get("torch"),
                torch.get("threads"));
        report("ratio DL4J / PyTorch: %.2fx; load average after: %s", dl4j / reference, load());

        Path out = Path.of("target", "benchmark");
        Files.createDirectories(out);
        Files.write(out.resolve("train.md"), lines, StandardCharsets.UTF_8);
    }

    private static int threads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        return omp == null || omp.isBlank() ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(omp.trim());
    }

    private Map<?, ?> pytorch(int threads, int images) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3", "benchmarks/train_reference.py",
                "--data", DATA.toString(), "--images", String.valueOf(images), "--epochs", String.valueOf(EPOCHS),
                "--batch", String.valueOf(BATCH), "--threads", String.valueOf(threads), "--preset", PRESET);
        // PASSIVE: idle OpenMP workers sleep instead of spinning, which matters on a shared 2-core box
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        builder.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("benchmarks/train_reference.py failed (exit " + process.exitValue()
                    + "): needs Debian's python3-torch and python3-numpy; output: " + output);
        }
        return new ObjectMapper().readValue(output.substring(output.lastIndexOf('\n') + 1), Map.class);
    }

    private static String load() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private void report(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println(line);
        lines.add("- " + line);
    }
}
