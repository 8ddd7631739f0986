package dev.svertka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import dev.svertka.card.InputShape;
import dev.svertka.card.Preprocessing;
import dev.svertka.onnx.OnnxExporter;

/** Importing an ONNX image classifier made elsewhere, with a card: what is accepted and what is refused. */
class ModelImportTest {

    private static final InputShape RGB = new InputShape(3, 16, 16);

    @TempDir
    Path dir;

    /** An ONNX classifier without Svertka's metadata, as another exporter would write it. */
    private Path foreignModel(int classes, Activation output) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(output == Activation.SOFTMAX ? LossFunction.MCXENT : LossFunction.MSE).nOut(classes).activation(output).build())
                .setInputType(InputType.convolutional(RGB.height(), RGB.width(), RGB.channels())).build());
        net.init();
        Path file = dir.resolve("classifier-" + classes + "-" + output + ".onnx");
        Files.write(file, OnnxExporter.export(net, RGB, Map.of()));
        return file;
    }

    private Path card(String json) throws Exception {
        Path file = dir.resolve("card.json");
        Files.writeString(file, json);
        return file;
    }

    private static final String CARD = """
            {"name": "pytorch-pets", "labels": ["cat", "dog", "bird"],
             "input": {"channels": 3, "height": 16, "width": 16}, "pixelScale": 0.00392157,
             "dataset": "pets v2"}
            """;

    @Test
    void importsAClassifierThatMatchesItsCard() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        Path model = foreignModel(3, Activation.SOFTMAX);

        ModelVersion imported = registry.importModel(model, ImportedCard.read(card(CARD), null));

        assertThat(imported.card().reference()).isEqualTo("pytorch-pets:1");
        assertThat(imported.card().labels()).containsExactly("cat", "dog", "bird");
        assertThat(imported.card().preset()).isEqualTo("imported");
        assertThat(imported.card().dataset()).isEqualTo("pets v2");
        assertThat(imported.onnxFile()).hasSameBinaryContentAs(model);
        assertThat(registry.resolve("pytorch-pets").card().sha256()).isEqualTo(imported.card().sha256());
        // a card without a recipe means Svertka's first one: scaled, stretched
        assertThat(registry.resolve("pytorch-pets").card().preprocessing()).isEqualTo(Preprocessing.DEFAULT);
    }

    @Test
    void aRecipeSvertkaCannotApplyIsRefusedNamingTheField() throws Exception {
        String preprocessing = ", \"preprocessing\": %s}";
        for (String[] refused : new String[][] {
                {"{\"resize\": \"letterbox\"}", "preprocessing.resize 'letterbox' is not one of"},
                {"{\"mean\": [0.5, 0.5]}", "preprocessing.mean has 2 values for an input of 3 channel"},
                {"{\"resize\": \"shorter-side\", \"resizeTo\": 12, \"crop\": \"center\"}",
                        "preprocessing.resizeTo 12 is smaller than the input 16x16"},
                {"{\"channelOrder\": \"HSV\"}", "preprocessing.channelOrder 'HSV' is not one of RGB, BGR"}}) {
            Path card = card(CARD.strip().replaceFirst("}$", String.format(preprocessing, refused[0])));

            assertThatThrownBy(() -> ImportedCard.read(card, null)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining(refused[1]);
        }
    }

    @Test
    void aNameGivenOnTheCommandLineOverridesTheCard() throws Exception {
        assertThat(ImportedCard.read(card(CARD), "renamed").name()).isEqualTo("renamed");
    }

    @Test
    void refusesALabelCountTheOutputDoesNotHave() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        Path model = foreignModel(5, Activation.SOFTMAX);

        assertThatThrownBy(() -> registry.importModel(model, ImportedCard.read(card(CARD), null)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("3 labels");
        assertThat(registry.names()).isEmpty();
    }

    @Test
    void refusesAnInputShapeOtherThanTheCards() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        Path model = foreignModel(3, Activation.SOFTMAX);
        Path card = card(CARD.replace("\"height\": 16", "\"height\": 28"));

        assertThatThrownBy(() -> registry.importModel(model, ImportedCard.read(card, null)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("[batch, 3, 28, 16]");
    }

    @Test
    void refusesAnInputTooLargeToRunBeforeAllocatingIt() throws Exception {
        Path card = card(CARD.replace("\"height\": 16, \"width\": 16", "\"height\": 50000, \"width\": 50000"));

        assertThatThrownBy(() -> ImportedCard.read(card, null)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("at most 2048 a side, got 50000x50000");
    }

    @Test
    void refusesLogitsInsteadOfProbabilities() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        Path model = foreignModel(3, Activation.IDENTITY);

        assertThatThrownBy(() -> registry.importModel(model, ImportedCard.read(card(CARD), null)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("Softmax");
    }

    @Test
    void refusesAFileOnnxRuntimeCannotOpen() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        Path model = Files.writeString(dir.resolve("broken.onnx"), "not a model");

        assertThatThrownBy(() -> registry.importModel(model, ImportedCard.read(card(CARD), null)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("ONNX Runtime cannot use");
    }

    @Test
    void refusesCardsWithoutWhatServingNeedsOrWithABadName() throws Exception {
        assertThatThrownBy(() -> ImportedCard.read(card("{\"name\": \"x\", \"labels\": [\"a\"]}"), null))
                .isInstanceOf(RegistryException.class).hasMessageContaining("lacks \"input\"");
        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        Path model = foreignModel(3, Activation.SOFTMAX);
        assertThatThrownBy(() -> registry.importModel(model, ImportedCard.read(card(CARD), "../escape")))
                .isInstanceOf(RegistryException.class).hasMessageContaining("Invalid model name");
    }
}
