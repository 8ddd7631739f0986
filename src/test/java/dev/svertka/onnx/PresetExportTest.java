package dev.svertka.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import dev.svertka.card.InputShape;
import dev.svertka.model.Preset;
import dev.svertka.model.Presets;

/** Every preset Svertka offers exports to ONNX and agrees with DL4J. */
class PresetExportTest {

    static Iterable<Preset> presets() {
        return Presets.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void exportsAndMatchesDl4j(Preset preset) throws Exception {
        InputShape shape = new InputShape(1, 28, 28);
        MultiLayerNetwork network = Presets.build(preset.name(), shape, 10, 11);
        float[] pixels = new float[32 * shape.pixels()];
        Random random = new Random(3);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        INDArray images = Nd4j.create(pixels, new long[] {32, 1, 28, 28}, 'c');

        byte[] model = OnnxExporter.export(network, shape, Map.of("svertka.preset", preset.name()));
        ParityReport report = ParityCheck.verify(network, model, images);

        System.out.printf("%s: max |DL4J - ORT| = %.2e on %d images%n", preset.name(), report.maxAbsDiff(),
                report.samples());
        assertThat(report.samples()).isEqualTo(32);
        assertThat(report.maxAbsDiff()).isLessThanOrEqualTo(ParityCheck.TOLERANCE);
        assertThat(report.argmaxMismatches()).isZero();
    }
}
