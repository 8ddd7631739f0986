package dev.svertka.onnx;

import static dev.svertka.onnx.SmallNetworks.network;
import static dev.svertka.onnx.SmallNetworks.softmaxOutput;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;

class ExportMetadataTest {

    private static final InputShape INPUT = new InputShape(1, 6, 6);

    private static ModelCard card(int version) {
        return new ModelCard("digits", version, List.of("a", "b", "c", "d", "e"), INPUT, ModelCard.LAYOUT_NCHW,
                InputShape.PIXEL_SCALE, null, "seed-cnn", "synthetic", Map.of("test_accuracy", 0.875),
                Map.of("epochs", "1"), "2026-11-30T00:00:00Z", null);
    }

    @Test
    void carriesTheCardItsVersionMetricsAndTheWeightsChecksum() throws Exception {
        MultiLayerNetwork net = network(INPUT, 1, new DenseLayer.Builder().nOut(4).build(), softmaxOutput());

        byte[] model = OnnxExporter.export(net, INPUT, OnnxExporter.metadata(card(7)));

        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(model)) {
            Map<String, String> props = session.getMetadata().getCustomMetadata();
            assertThat(props).containsEntry("svertka.model", "digits")
                    .containsEntry(OnnxExporter.VERSION, "7")
                    .containsEntry("svertka.metric.test_accuracy", "0.875")
                    .containsEntry("svertka.labels", "a\nb\nc\nd\ne")
                    .containsEntry("svertka.layout", "NCHW")
                    .containsEntry("svertka.colour_mode", "grey")
                    .containsKey("svertka.normalisation")
                    .containsKey(OnnxExporter.WEIGHTS_SHA256);
            assertThat(props.get(OnnxExporter.WEIGHTS_SHA256)).matches("[0-9a-f]{64}");
        }
    }

    @Test
    void weightsChecksumFollowsTheWeightsNotTheMetadata() throws Exception {
        MultiLayerNetwork net = network(INPUT, 1, new DenseLayer.Builder().nOut(4).build(), softmaxOutput());
        String first = weightsSha(OnnxExporter.export(net, INPUT, OnnxExporter.metadata(card(1))));
        String relabelled = weightsSha(OnnxExporter.export(net, INPUT, OnnxExporter.metadata(card(2))));
        net.getLayer(0).getParam("W").putScalar(0, 0, 0.123f);
        String retrained = weightsSha(OnnxExporter.export(net, INPUT, OnnxExporter.metadata(card(1))));

        assertThat(relabelled).isEqualTo(first);
        assertThat(retrained).isNotEqualTo(first);
    }

    private static String weightsSha(byte[] model) throws Exception {
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(model)) {
            return session.getMetadata().getCustomMetadata().get(OnnxExporter.WEIGHTS_SHA256);
        }
    }
}
