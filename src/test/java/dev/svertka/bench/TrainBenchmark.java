package dev.svertka.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.train.event.ConsoleListener;
import dev.svertka.data.Datasets;
import dev.svertka.data.IdxDataset;
import dev.svertka.data.LabeledImages;
import dev.svertka.model.Presets;
import dev.svertka.model.SeedCnn;
import dev.svertka.train.Evaluation;
import dev.svertka.train.Graphs;
import dev.svertka.backend.BuiltInLayers;
import dev.svertka.backend.OneDnnHelpers;
import dev.svertka.train.Trainer;

/**
 * The training benchmark (issue 7), not a test: its name keeps it out of {@code ./mvnw verify}. Run it with
 * <pre>./mvnw -B test -Dtest=TrainBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * It trains a preset on the first {@code bench.images} Fashion-MNIST training images (Debian's
 * {@code dataset-fashion-mnist}) with the project's {@link Trainer}, then the same network in PyTorch
 * ({@code benchmarks/train_reference.py}, Debian's {@code python3-torch}) with the same batch size, epochs
 * and thread count ({@code OMP_NUM_THREADS}, else all cores), and prints images/s over the epochs
 * (data feeding included), images per CPU-second (robust to other processes' load), test accuracy and the
 * ratios. {@code -Dbench.variants=dl4j,builtin,nhwc,samediff} trains several DL4J variants one after another in
 * this JVM, so that levers are compared within one run ({@code builtin}: DL4J's own layers, no oneDNN helper;
 * {@code pool-builtin}, {@code bn-builtin}: oneDNN for the rest, DL4J's pooling or batch norm). Results also go to {@code target/benchmark/train.md}.
 */
class TrainBenchmark {

    private static final Path DATA = Path.of(System.getProperty("bench.data", Datasets.DEBIAN_FASHION_MNIST.toString()));
    private static final int IMAGES = Integer.getInteger("bench.images", 20_000);
    private static final int EPOCHS = Integer.getInteger("bench.epochs", 1);
    private static final int BATCH = Integer.getInteger("bench.batch", 128);
    private static final String PRESET = System.getProperty("bench.preset", SeedCnn.NAME);
    /** Trainers run one after another in this JVM, then PyTorch: dl4j (the preset as the product trains it),
     *  builtin, pool-builtin, bn-builtin, nhwc, half, bfloat16, samediff (seed-cnn only). */
    private static final List<String> VARIANTS = Stream.of(System.getProperty("bench.variants", "dl4j").split(","))
            .map(String::trim).toList();
    private static final long SEED = 42;

    private final List<String> lines = new ArrayList<>();

    @Test
    void run() throws Exception {
        int threads = threads();
        report("machine: %d cores, threads %d, DL4J's OMP_WAIT_POLICY %s, load average before: %s",
                Runtime.getRuntime().availableProcessors(), threads, System.getenv("OMP_WAIT_POLICY"), load());
        report("ND4J backend: %s, native library: %s, oneDNN in the natives: %s, DL4J helpers enabled: %s",
                Nd4j.getBackend().getClass().getSimpleName(),
                Loader.getLoadedLibraries().get("jnind4jcpu"), // which classifier's build JavaCPP picked
                OneDnnHelpers.inNatives(), BaseMKLDNNHelper.mklDnnEnabled() && OneDnnHelpers.requested());
        IdxDataset data = IdxDataset.open(DATA);
        LabeledImages train = data.train().slice(0, Math.min(IMAGES, data.train().size()));
        report("%s: %s on %d training images, %d epoch(s), batch %d", DATA, PRESET, train.size(), EPOCHS, BATCH);

        List<Result> results = new ArrayList<>();
        for (String variant : VARIANTS) {
            results.add(switch (variant) {
                case "dl4j" -> dl4j(variant, network(configuration(train)), data, train);
                case "builtin" -> dl4j(variant, BuiltInLayers.build(() -> network(configuration(train))), data,
                        train);
                case "pool-builtin" -> dl4j(variant, LayerHelperLevers.detach(network(configuration(train)),
                        SubsamplingLayer.class), data, train);
                case "bn-builtin" -> dl4j(variant, LayerHelperLevers.detach(network(configuration(train)),
                        BatchNormalization.class), data, train);
                case "nhwc" -> dl4j(variant, network(Nhwc.of(configuration(train), train.shape(), SEED)), data, train);
                case "half", "bfloat16" -> {
                    MultiLayerConfiguration lowPrecision = configuration(train);
                    lowPrecision.setDataType(variant.equals("half") ? DataType.HALF : DataType.BFLOAT16);
                    yield dl4j(variant, network(lowPrecision), data, train);
                }
                case "samediff" -> sameDiff(data, train);
                default -> throw new IllegalArgumentException("bench.variants: unknown variant " + variant
                        + " (dl4j, builtin, pool-builtin, bn-builtin, nhwc, half, bfloat16, samediff)");
            });
        }

        Map<?, ?> torch = pytorch(threads, train.size());
        double reference = ((Number) torch.get("images_per_second")).doubleValue();
        report("PyTorch : %,.0f images/s (%s s), test accuracy %.4f (torch %s, %s threads)", reference,
                torch.get("epoch_seconds"), ((Number) torch.get("test_accuracy")).doubleValue(), torch.get("torch"),
                torch.get("threads"));
        double referenceCpu = ((Number) torch.get("images_per_cpu_second")).doubleValue();
        report("PyTorch : %,.0f images per CPU-second", referenceCpu);
        for (Result result : results) {
            report("ratio %s / PyTorch: %.2fx images/s, %.2fx images per CPU-second", result.variant(),
                    result.imagesPerSecond() / reference, result.imagesPerCpuSecond() / referenceCpu);
        }
        report("load average after: %s", load());

        Path out = Path.of("target", "benchmark");
        Files.createDirectories(out);
        Files.write(out.resolve("train.md"), lines, StandardCharsets.UTF_8);
    }

    private record Result(String variant, double imagesPerSecond, double imagesPerCpuSecond) {
    }

    private MultiLayerConfiguration configuration(LabeledImages train) {
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
        return configuration;
    }

    private static MultiLayerNetwork network(MultiLayerConfiguration configuration) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        return network;
    }

    private Result dl4j(String variant, MultiLayerNetwork network, IdxDataset data, LabeledImages train)
            throws IOException {
        MultiLayerConfiguration configuration = network.getLayerWiseConfigurations();
        report("%s: training workspace mode %s, cache mode %s, data type %s, oneDNN helpers: %s", variant,
                configuration.getTrainingWorkspaceMode(), configuration.getCacheMode(), configuration.getDataType(),
                OneDnnHelpers.survey(network.getLayers()).describe());
        CpuClock cpu = new CpuClock();
        ComputationGraph graph = Graphs.of(network); // the trainer's network type
        graph.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                cpu.batchDone();
            }
        });
        List<Trainer.EpochMetrics> epochs = new Trainer(new ConsoleListener(System.out)).fit(graph, train, null,
                new Trainer.Options(EPOCHS, BATCH, SEED));
        double seconds = epochs.stream().mapToDouble(Trainer.EpochMetrics::seconds).sum();
        return result(variant, train.size(), seconds, cpu, Evaluation.of(graph, data.test(), 256).accuracy());
    }

    private Result sameDiff(IdxDataset data, LabeledImages train) throws IOException {
        if (!PRESET.equals(SeedCnn.NAME)) {
            throw new IllegalArgumentException("the samediff variant is seed-cnn only, not " + PRESET);
        }
        Nd4j.getRandom().setSeed(SEED);
        SameDiffSeedCnn network = new SameDiffSeedCnn(train);
        CpuClock cpu = new CpuClock();
        double seconds = network.fit(train, EPOCHS, BATCH, SEED, cpu);
        return result("samediff", train.size(), seconds, cpu, network.accuracy(data.test()));
    }

    private Result result(String variant, int trainImages, double seconds, CpuClock cpu, double testAccuracy)
            throws IOException {
        long images = (long) trainImages * EPOCHS;
        Result result = new Result(variant, images / seconds, cpu.imagesPerCpuSecond(images, BATCH));
        report("%-8s: %,.0f images/s (%.1f s), %,.0f images per CPU-second, test accuracy %.4f; load average: %s",
                variant, result.imagesPerSecond(), seconds, result.imagesPerCpuSecond(), testAccuracy, load());
        return result;
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
