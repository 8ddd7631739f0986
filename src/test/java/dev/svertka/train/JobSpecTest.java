package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.data.Augmentation;
import dev.svertka.card.InputRecipe;
import dev.svertka.card.InputShape;
import dev.svertka.card.Preprocessing;

class JobSpecTest {

    @TempDir
    Path dir;

    @Test
    void aJsonJobBecomesTheSpecItDescribesAndSurvivesARoundTrip() throws Exception {
        Path file = dir.resolve("job.json");
        Files.writeString(file, """
                {"model": "shoes", "data": "/data/shoes", "testData": "/data/shoes-test", "imageSize": "3x64x64",
                 "epochs": 12, "stratified": true, "augment": "rotation_range=10@0.5,horizontal_flip=true",
                 "optimizer": "sgd:0.01", "lrSchedule": "step:0.5:4", "patience": 3,
                 "base": "fashion:2", "freezeUpTo": "dropout_1", "featuresAt": "dropout_2", "cacheFeatures": false,
                 "unfreezeAfter": 4, "registry": "/models",
                 "preprocessing": {"resize": "shorter-side", "resizeTo": 72, "crop": "center",
                                   "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}}
                """);

        JobSpec spec = JobSpec.read(file);

        assertThat(spec.model()).isEqualTo("shoes");
        assertThat(spec.epochs()).isEqualTo(12);
        assertThat(spec.batchSize()).as("default").isEqualTo(JobSpec.defaults().batchSize());
        assertThat(spec.validationSplit()).as("default").isEqualTo(JobSpec.defaults().validationSplit());
        assertThat(spec.imageShape()).isEqualTo(new InputShape(3, 64, 64));
        assertThat(spec.stratified()).isTrue();
        assertThat(spec.recipe()).isEqualTo(new InputRecipe(new InputShape(3, 64, 64), InputShape.PIXEL_SCALE,
                new Preprocessing(Preprocessing.ChannelOrder.RGB, List.of(0.485, 0.456, 0.406),
                        List.of(0.229, 0.224, 0.225), Preprocessing.Resize.SHORTER_SIDE, 72, Preprocessing.Crop.CENTER)));
        assertThat(spec.augmentation()).isEqualTo(Augmentation.parse("rotation_range=10@0.5,horizontal_flip=true"));
        assertThat(spec.optimizerChoice().describe()).isEqualTo("sgd(lr=0.01, momentum=0.9, step:0.5:4)");
        assertThat(spec.patience()).isEqualTo(3);
        assertThat(spec.runDirectory()).isEqualTo(Path.of("runs", "shoes"));
        assertThat(spec.base()).isEqualTo("fashion:2");
        assertThat(spec.featuresAt()).isEqualTo("dropout_2");
        assertThat(spec.cacheFeatures()).isFalse();
        assertThat(JobSpec.defaults().cacheFeatures()).as("default").isTrue();
        assertThat(spec.unfreezeAfter()).isEqualTo(4);
        assertThat(spec.registryOr(Path.of("elsewhere"))).isEqualTo(Path.of("/models"));
        assertThat(JobSpec.read(Files.writeString(dir.resolve("again.json"), spec.json()))).isEqualTo(spec);
    }

    @Test
    void anEmptyJobTakesTheDefaultsAndATypoIsRefused() throws Exception {
        JobSpec defaults = JobSpec.read(Files.writeString(dir.resolve("empty.json"), "{}"));
        assertThat(defaults).isEqualTo(JobSpec.defaults());
        assertThat(defaults.data()).isEqualTo("synthetic");
        assertThat(defaults.preset()).isEqualTo("seed-cnn");
        assertThat(defaults.optimizerChoice()).as("the preset's own").isNull();
        assertThat(defaults.augmentation().isNone()).isTrue();
        assertThat(defaults.recipe()).isEqualTo(InputRecipe.of(defaults.imageShape()));
        assertThat(defaults.registryOr(Path.of("the-runners"))).isEqualTo(Path.of("the-runners"));

        Path typo = Files.writeString(dir.resolve("typo.json"), "{\"epocs\": 5}");
        assertThatThrownBy(() -> JobSpec.read(typo)).hasMessageContaining("typo.json").hasMessageContaining("epocs");
    }

    @Test
    void badValuesAreRefusedWhenTheSpecIsMadeNotWhenItRuns() {
        assertThatThrownBy(() -> JobSpec.parse("{\"augment\": \"spin=3\"}")).hasMessageContaining("spin");
        assertThatThrownBy(() -> JobSpec.parse("{\"imageSize\": \"2x28x28\"}")).hasMessageContaining("channels");
        assertThatThrownBy(() -> JobSpec.builder().validationSplit(1.0).build()).hasMessageContaining("validation");
        assertThatThrownBy(() -> JobSpec.parse("{\"preprocessing\": {\"mean\": [0.4, 0.5, 0.6]}}"))
                .as("three means for the default grey input").hasMessageContaining("preprocessing.mean");
        assertThatThrownBy(() -> JobSpec.parse("{\"preprocessing\": {\"resize\": \"squash\"}}"))
                .hasMessageContaining("preprocessing.resize");
        assertThatThrownBy(() -> JobSpec.builder().resume("last.zip").base("zoo:LeNet").build())
                .hasMessageContaining("not both");
    }
}
