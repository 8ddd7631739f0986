package dev.svertka.onnx;

import static dev.svertka.onnx.SmallNetworks.network;
import static dev.svertka.onnx.SmallNetworks.softmaxOutput;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.card.InputShape;

class OnnxExporterFileTest {

    private static final InputShape INPUT = new InputShape(1, 6, 6);

    @TempDir
    Path directory;

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFile() throws Exception {
        MultiLayerNetwork net = network(INPUT, 1, new DenseLayer.Builder().nOut(4).build(), softmaxOutput());
        Map<String, String> metadata = Map.of("b", "2", "a", "1");
        Path target = directory.resolve("models/digits/model.onnx");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "previous version");

        OnnxExporter.export(net, INPUT, metadata, target);

        assertThat(target).hasBinaryContent(OnnxExporter.export(net, INPUT, metadata));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }
}
