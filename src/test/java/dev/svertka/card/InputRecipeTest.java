package dev.svertka.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.card.Preprocessing.ChannelOrder;
import dev.svertka.card.Preprocessing.Crop;
import dev.svertka.card.Preprocessing.Resize;

class InputRecipeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InputShape PHOTO = new InputShape(3, 64, 64);

    /** torchvision's Resize(72) then CenterCrop(64), with ImageNet's mean and std. */
    private static final Preprocessing TORCHVISION = new Preprocessing(ChannelOrder.RGB, List.of(0.485, 0.456, 0.406),
            List.of(0.229, 0.224, 0.225), Resize.SHORTER_SIDE, 72, Crop.CENTER);

    @Test
    void theRecipeRoundTripsThroughJsonAsCardsWriteIt() throws Exception {
        String json = "{\"channelOrder\": \"RGB\", \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225],"
                + " \"resize\": \"shorter-side\", \"resizeTo\": 72, \"crop\": \"center\"}";

        Preprocessing read = JSON.readValue(json, Preprocessing.class);

        assertThat(read).isEqualTo(TORCHVISION);
        assertThat(JSON.readValue(JSON.writeValueAsString(read), Preprocessing.class)).isEqualTo(read);
        assertThat(JSON.writeValueAsString(read)).contains("\"resize\":\"shorter-side\"", "\"crop\":\"center\"");
    }

    @Test
    void fieldsLeftOutMeanWhatSvertkaDidBefore() throws Exception {
        assertThat(JSON.readValue("{}", Preprocessing.class)).isEqualTo(Preprocessing.DEFAULT);
        assertThat(JSON.readValue("{\"channelOrder\": \"bgr\"}", Preprocessing.class).channelOrder())
                .isEqualTo(ChannelOrder.BGR);
    }

    @Test
    void aRecipeThatCannotBeAppliedIsRefusedNamingTheField() {
        assertThatThrownBy(() -> JSON.readValue("{\"resize\": \"squash\"}", Preprocessing.class))
                .hasMessageContaining("preprocessing.resize 'squash' is not one of stretch, shorter-side");
        assertThatThrownBy(() -> JSON.readValue("{\"resize\": \"shorter-side\", \"crop\": \"center\"}",
                Preprocessing.class)).hasMessageContaining("preprocessing.resizeTo is needed");
        assertThatThrownBy(() -> JSON.readValue("{\"resize\": \"shorter-side\", \"resizeTo\": 72}",
                Preprocessing.class)).hasMessageContaining("preprocessing.crop must be center");
        assertThatThrownBy(() -> JSON.readValue("{\"std\": [0.2, 0, 0.2]}", Preprocessing.class))
                .hasMessageContaining("preprocessing.std must hold positive numbers");
        assertThatThrownBy(() -> new InputRecipe(PHOTO, 1 / 255f, new Preprocessing(null, List.of(0.5, 0.5), null,
                null, null, null))).hasMessageContaining("preprocessing.mean has 2 values for an input of 3 channel");
        assertThatThrownBy(() -> new InputRecipe(PHOTO, 1 / 255f, new Preprocessing(null, null, null,
                Resize.SHORTER_SIDE, 60, Crop.CENTER))).hasMessageContaining("preprocessing.resizeTo 60 is smaller");
        assertThatThrownBy(() -> new InputRecipe(PHOTO, 0, null)).hasMessageContaining("pixelScale must be positive");
    }

    @Test
    void theShorterSideIsResizedAndTheCropCenteredAsTorchvisionDoes() {
        InputRecipe recipe = new InputRecipe(PHOTO, 1 / 255f, TORCHVISION);

        // landscape: height to 72, width int(72 * 640 / 480) = 96; margins (96 - 64) / 2 and (72 - 64) / 2
        assertThat(recipe.fit(640, 480)).isEqualTo(new InputRecipe.Fit(96, 72, 16, 4));
        // portrait, truncated: int(72 * 301 / 200) = 108; top round(22.0) = 22
        assertThat(recipe.fit(200, 301)).isEqualTo(new InputRecipe.Fit(72, 108, 4, 22));
        // Python's round() takes halves to even: round(6.5) = 6, round(7.5) = 8 (Math.round would give 7 and 8)
        assertThat(recipe.fit(72, 77)).isEqualTo(new InputRecipe.Fit(72, 77, 4, 6));
        assertThat(recipe.fit(72, 79)).isEqualTo(new InputRecipe.Fit(72, 79, 4, 8));
        assertThat(InputRecipe.of(PHOTO).fit(640, 480)).isEqualTo(new InputRecipe.Fit(64, 64, 0, 0));
    }

    @Test
    void normalisingReordersChannelsThenScalesAndStandardises() {
        InputShape onePixel = new InputShape(3, 1, 1);
        InputRecipe caffe = new InputRecipe(onePixel, 1f, new Preprocessing(ChannelOrder.BGR,
                List.of(103.939, 116.779, 123.68), null, null, null, null));
        float[] rgb = {200, 100, 50};

        caffe.normalise(rgb, 0);

        assertThat(rgb[0]).isCloseTo(50 - 103.939f, within(1e-4f));
        assertThat(rgb[1]).isCloseTo(100 - 116.779f, within(1e-4f));
        assertThat(rgb[2]).isCloseTo(200 - 123.68f, within(1e-4f));

        float[] value = {0, 0, 255, 255, 128, 128};
        new InputRecipe(onePixel, 1 / 255f, TORCHVISION).normalise(value, 3);
        assertThat(value[3]).isCloseTo((1 - 0.485f) / 0.229f, within(1e-5f));
        assertThat(value[5]).isCloseTo((128 / 255f - 0.406f) / 0.225f, within(1e-5f));
        assertThat(value[2]).isEqualTo(255); // before the offset: another image's
    }

    @Test
    void svertkasOwnRecipeScalesBytesExactlyAsBefore() {
        float[] values = {0, 1, 128, 255};
        InputRecipe.of(new InputShape(1, 2, 2)).normalise(values, 0);

        assertThat(values).containsExactly(0f, InputShape.PIXEL_SCALE, 128 * InputShape.PIXEL_SCALE, 1f);
    }
}
