package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.train.event.MetricsFile;
import dev.svertka.backend.OneDnnHelpers;

/**
 * The packaged application trains with oneDNN, shown by oneDNN itself: {@code ONEDNN_VERBOSE=1} (and its older
 * name {@code DNNL_VERBOSE}) makes the library print a line per primitive it executes. Runs {@code train} as a user
 * would, from another working directory, after {@code package} (failsafe, in {@code verify}).
 */
class OneDnnTrainingIT {

    @TempDir
    Path work;

    @Test
    void theApplicationShipsOneBuildOfNd4jsNativesTheOneTheBuildChose() throws IOException {
        String classifier = System.getProperty("svertka.test.nd4j-classifier");
        try (Stream<Path> jars = Files.list(Path.of("target", "quarkus-app", "lib", "main"))) {
            assertThat(jars.map(jar -> jar.getFileName().toString())
                    .filter(name -> name.matches("org\\.nd4j\\.nd4j-native-[^-]+-[^-]+-linux-.*\\.jar")))
                    .containsExactly("org.nd4j.nd4j-native-1.0.0-M2.1-" + classifier + ".jar");
        }
    }

    @Test
    void convolutionPoolingAndBatchNormRunForwardAndBackwardInOneDnn() throws Exception {
        String output = train("deep-cnn");

        assertThat(output).contains("oneDNN layer helpers: convolution 4/4, batch normalization 4/4, subsampling 2/2")
                .doesNotContain("WARNING: oneDNN", "falling back on built-in", "onednn_fallbacks");
        List<String> executed = executedPrimitives(output);
        assertThat(executed).as("oneDNN primitives executed while training")
                .anyMatch(line -> line.contains(",convolution,") && line.contains("forward"))
                .anyMatch(line -> line.contains(",convolution,") && line.contains("backward_data"))
                .anyMatch(line -> line.contains(",convolution,") && line.contains("backward_weights"))
                .anyMatch(line -> line.contains(",pooling") && line.contains("backward"))
                .anyMatch(line -> line.contains(",batch_normalization,") && line.contains("backward"));
        assertThat(Files.readString(work.resolve("runs/check/" + MetricsFile.NAME)))
                .contains("\"onednn_fallbacks\":0");
    }

    @Test
    void anExplicitPropertyWinsAndTheBuiltInPathRunsNoOneDnnConvolution() throws Exception {
        String output = train("seed-cnn", "-D" + OneDnnHelpers.DISABLE_PROPERTY + "=true");

        assertThat(output).contains("oneDNN: layer helpers switched off");
        assertThat(executedPrimitives(output)).noneMatch(line -> line.contains(",convolution,"));
    }

    /** {@code train} on synthetic digits with oneDNN's verbose output on; returns everything it printed. */
    private String train(String preset, String... jvmOptions) throws IOException, InterruptedException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("the packaged application (integration-test phase, after package)").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString(), "train", "--data", "synthetic:600", "--preset", preset,
                "--epochs", "1", "--batch-size", "64", "--model", "check", "--registry", "registry"));
        Path log = work.resolve("train.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("ONEDNN_VERBOSE", "1");
        builder.environment().put("DNNL_VERBOSE", "1");
        Process process = builder.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("train finishes; see " + log).isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("train's exit code; output:%n%s", tail(output)).isZero();
        return output;
    }

    private static List<String> executedPrimitives(String output) {
        return output.lines().filter(line -> line.matches("(onednn|dnnl)_verbose,exec,.*")).toList();
    }

    private static String tail(String output) {
        return output.substring(Math.max(0, output.length() - 4000));
    }
}
