package dev.svertka.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.svertka.data.Augmentation.FillMode;
import dev.svertka.data.Augmenter.Draw;
import dev.svertka.card.InputShape;

class AugmenterTest {

    private static final InputShape NINE = new InputShape(1, 9, 9);

    @Test
    void aRotationMovesABrightPixelWhereTheAffineMapSays() {
        // (7,4) is 3 px right of the centre (4,4); +90 degrees (clockwise on screen) puts it 3 px below
        float[] out = render(NINE, FillMode.CONSTANT, pixel(NINE, 7, 4), draw(90, 0, 0, 0, 1, 1, false));
        assertThat(brightest(out, 9)).containsExactly(4, 7);
        assertThat(out[7 * 9 + 4]).isEqualTo(255f, offset(1e-3f));
        assertThat(sum(out)).isCloseTo(255.0, offset(1e-2));
    }

    @Test
    void shiftsShearZoomAndFlipMoveThePixelAsTheirMatricesSay() {
        assertThat(brightest(render(NINE, FillMode.CONSTANT, pixel(NINE, 3, 4), draw(0, 2, -1, 0, 1, 1, false)), 9))
                .as("shift by (+2, -1) px").containsExactly(5, 3);
        // shear 45 degrees: x' = x + tan(45) * y around the centre: (4,6) -> (4+2, 6)
        assertThat(brightest(render(NINE, FillMode.CONSTANT, pixel(NINE, 4, 6), draw(0, 0, 0, 45, 1, 1, false)), 9))
                .as("shear").containsExactly(6, 6);
        // magnify 2x around the centre: 1 px right of it lands 2 px right
        assertThat(brightest(render(NINE, FillMode.CONSTANT, pixel(NINE, 5, 4), draw(0, 0, 0, 0, 2, 2, false)), 9))
                .as("zoom").containsExactly(6, 4);
        assertThat(brightest(render(NINE, FillMode.CONSTANT, pixel(NINE, 1, 2), draw(0, 0, 0, 0, 1, 1, true)), 9))
                .as("flip").containsExactly(7, 2);
        // rotation then shift: (7,4) -> centre + R90 (3,0) + (1,-2) = (5, 5)
        assertThat(brightest(render(NINE, FillMode.CONSTANT, pixel(NINE, 7, 4), draw(90, 1, -2, 0, 1, 1, false)), 9))
                .as("rotation and shift together").containsExactly(5, 5);
    }

    @Test
    void fillModesFillTheUncoveredEdgeAsKerasDoes() {
        InputShape row = new InputShape(1, 1, 5);
        float[] image = {10, 20, 30, 40, 50};
        Draw shiftRight2 = draw(0, 2, 0, 0, 1, 1, false);
        assertThat(render(row, FillMode.NEAREST, image, shiftRight2)).containsExactly(10, 10, 10, 20, 30);
        assertThat(render(row, FillMode.CONSTANT, image, shiftRight2)).containsExactly(7, 7, 10, 20, 30);
        assertThat(render(row, FillMode.REFLECT, image, shiftRight2)).containsExactly(20, 10, 10, 20, 30);
        assertThat(render(row, FillMode.WRAP, image, shiftRight2)).containsExactly(40, 50, 10, 20, 30);
        assertThat(render(row, FillMode.REFLECT, image, draw(0, -3, 0, 0, 1, 1, false)))
                .as("shifted left 3").containsExactly(40, 50, 50, 40, 30);
    }

    @Test
    void aRandomCropIsResizedBackToTheFullImage() {
        InputShape four = new InputShape(1, 4, 4);
        float[] image = new float[16];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                image[y * 4 + x] = 200;
            }
        }
        Draw topLeftHalf = new Draw(0, 0, 0, 0, 1, 1, false, 0.5, 0.5, 0, 0, 1, 1, 1, 0, 0);
        assertThat(render(four, FillMode.NEAREST, image, topLeftHalf)).containsOnly(200f);
        Draw bottomRightHalf = new Draw(0, 0, 0, 0, 1, 1, false, 0.5, 0.5, 1, 1, 1, 1, 1, 0, 0);
        assertThat(render(four, FillMode.NEAREST, image, bottomRightHalf)).containsOnly(0f);
    }

    @Test
    void gaussianNoiseHasTheAskedSpreadAndStaysInRange() {
        InputShape big = new InputShape(1, 100, 100);
        float[] grey = new float[10_000];
        java.util.Arrays.fill(grey, 128);
        float[] out = render(big, FillMode.NEAREST, grey, new Draw(0, 0, 0, 0, 1, 1, false, 1, 1, 0, 0, 1, 1, 1, 0.1 * 255, 7));
        double mean = sum(out) / out.length;
        double variance = 0;
        for (float v : out) {
            variance += (v - mean) * (v - mean);
        }
        assertThat(mean).isCloseTo(128, offset(1.0));
        assertThat(Math.sqrt(variance / out.length)).isCloseTo(25.5, offset(1.0));
        float[] bright = new float[10_000];
        java.util.Arrays.fill(bright, 250);
        float[] noisy = render(big, FillMode.NEAREST, bright, new Draw(0, 0, 0, 0, 1, 1, false, 1, 1, 0, 0, 1, 1, 1, 50, 7));
        for (float v : noisy) {
            assertThat(v).isBetween(0f, 255f);
        }
        assertThat(noisy).contains(255f);
    }

    @Test
    void eachTransformHappensWithItsOwnProbabilityAndWithinItsRange() {
        Augmenter augmenter = new Augmenter(Augmentation.parse("rotation_range=20@0.3,width_shift_range=0.1"), NINE);
        Random random = new Random(1);
        int rotated = 0;
        int shifted = 0;
        for (int i = 0; i < 4000; i++) {
            Draw d = augmenter.draw(random);
            assertThat(Math.abs(d.rotation())).isLessThanOrEqualTo(20);
            assertThat(Math.abs(d.shiftX())).isLessThanOrEqualTo(0.9);
            assertThat(d.shiftY()).isZero();
            assertThat(d.flip()).as("horizontal flip is off by default").isFalse();
            rotated += d.rotation() != 0 ? 1 : 0;
            shifted += d.shiftX() != 0 ? 1 : 0;
        }
        assertThat(rotated / 4000.0).isCloseTo(0.3, offset(0.03));
        assertThat(shifted).isEqualTo(4000);
    }

    @Test
    void theSameSeedEpochAndImageGiveTheSameResultAndANewEpochANewOne() {
        LabeledImages digits = SyntheticDigits.generate(3, 1);
        Augmenter augmenter = new Augmenter(Augmentation.parse(
                "rotation_range=15,zoom_range=0.1,gaussian_noise=0.05,random_crop=0.8@0.5"), digits.shape());
        float[] first = augmenter.apply(digits.image(0), 42, 3, 0);
        assertThat(augmenter.apply(digits.image(0), 42, 3, 0)).containsExactly(first);
        assertThat(augmenter.apply(digits.image(0), 42, 4, 0)).isNotEqualTo(first);
        assertThat(augmenter.apply(digits.image(0), 43, 3, 0)).isNotEqualTo(first);
    }

    @Test
    void geometryMovesEveryChannelOfAnRgbImageAlike() {
        InputShape rgb = new InputShape(3, 9, 9);
        float[] image = new float[rgb.pixels()];
        image[2 * 81 + 2 * 9 + 1] = 200; // a blue pixel at (1, 2)
        image[2 * 9 + 1] = 40;           // with a little red

        float[] flipped = render(rgb, FillMode.CONSTANT, image, draw(0, 0, 0, 0, 1, 1, true));

        assertThat(flipped[2 * 81 + 2 * 9 + 7]).isEqualTo(200f);
        assertThat(flipped[2 * 9 + 7]).isEqualTo(40f);
        assertThat(flipped[81 + 2 * 9 + 7]).as("no green appears").isZero();
        assertThat(sum(flipped)).isCloseTo(240.0, offset(1e-3));
    }

    @Test
    void colourJitterScalesBlendsAndDesaturatesAllChannelsTogether() {
        InputShape rgb = new InputShape(3, 1, 2);
        float[] image = {200, 100, 50, 50, 0, 150}; // pixels (200, 50, 0) and (100, 50, 150)
        assertThat(render(rgb, FillMode.NEAREST, image, jitter(0.5, 1, 1)))
                .as("brightness").containsExactly(100, 50, 25, 25, 0, 75);
        float[] flat = render(rgb, FillMode.NEAREST, image, jitter(1, 0, 1));
        float meanGrey = (0.299f * 300 + 0.587f * 100 + 0.114f * 150) / 2;
        float[] meanEverywhere = new float[6];
        java.util.Arrays.fill(meanEverywhere, meanGrey);
        assertThat(flat).as("no contrast: the mean grey everywhere").containsExactly(meanEverywhere, offset(1e-3f));
        float[] grey = render(rgb, FillMode.NEAREST, image, jitter(1, 1, 0));
        float luma = 0.299f * 200 + 0.587f * 50;
        assertThat(new float[] {grey[0], grey[2], grey[4]}).as("no saturation: each pixel its luma")
                .containsExactly(new float[] {luma, luma, luma}, offset(1e-3f));
        assertThat(render(rgb, FillMode.NEAREST, image, jitter(2, 1, 1))).as("clamped").contains(255f, 200f);

        InputShape one = new InputShape(1, 1, 2);
        assertThat(render(one, FillMode.NEAREST, new float[] {200, 100}, jitter(1, 1, 0)))
                .as("saturation leaves grey images alone").containsExactly(200, 100);
    }

    @Test
    void aRandomResizedCropKeepsAShareOfTheAreaAtAnAspectNearTheImagesAndTheShape() {
        Augmenter augmenter = new Augmenter(Augmentation.parse("random_resized_crop=0.3"), new InputShape(3, 20, 20));
        Random random = new Random(4);
        for (int i = 0; i < 2000; i++) {
            Draw d = augmenter.draw(random);
            double area = d.cropWidth() * d.cropHeight();
            assertThat(area).isBetween(0.3 * 0.75, 1.0);
            if (d.cropWidth() < 1 && d.cropHeight() < 1) {
                assertThat(area).isGreaterThanOrEqualTo(0.3 - 1e-9);
                assertThat(d.cropWidth() / d.cropHeight()).isBetween(0.75 - 1e-9, 4.0 / 3 + 1e-9);
            }
        }
        LabeledImages photos = new LabeledImages(new InputShape(3, 20, 20), new byte[2 * 1200], new int[] {1, 0},
                java.util.List.of("a", "b"));
        assertThat(augmenter.apply(photos.image(1), 1, 0, 1)).hasSize(1200);
        assertThatThrownBy(() -> Augmentation.parse("random_crop=0.8,random_resized_crop=0.5"))
                .hasMessageContaining("choose one");
    }

    @Test
    void newStepsLeaveTheDrawsOfTheOlderOnesAsTheyWere() {
        InputShape shape = new InputShape(3, 9, 9);
        Augmenter old = new Augmenter(Augmentation.parse("rotation_range=15,random_crop=0.8,gaussian_noise=0.1"), shape);
        Augmenter more = new Augmenter(Augmentation.parse(
                "rotation_range=15,random_crop=0.8,gaussian_noise=0.1,brightness=0.3,saturation=0.5"), shape);
        for (long seed = 0; seed < 20; seed++) {
            Draw before = old.draw(new Random(seed));
            Draw after = more.draw(new Random(seed));
            assertThat(after.rotation()).isEqualTo(before.rotation());
            assertThat(after.cropWidth()).isEqualTo(before.cropWidth());
            assertThat(after.noiseSeed()).isEqualTo(before.noiseSeed());
            assertThat(after.brightness()).isBetween(0.7, 1.3);
            assertThat(before.brightness()).isEqualTo(1);
        }
    }

    @Test
    void theTextualFormRoundTripsAndMistakesAreClear() {
        Augmentation a = Augmentation.parse("rotation_range=10@0.5, width_shift_range=0.1, zoom_range=0.2,"
                + " horizontal_flip=true, fill_mode=constant, cval=12, random_resized_crop=0.5, brightness=0.2,"
                + " contrast=0.3@0.5, saturation=0.4");
        assertThat(a.contrast()).isEqualTo(new Augmentation.Step(0.3, 0.5));
        assertThat(a.rotation()).isEqualTo(new Augmentation.Step(10, 0.5));
        assertThat(a.flip().probability()).isEqualTo(0.5);
        assertThat(a.fillMode()).isEqualTo(FillMode.CONSTANT);
        assertThat(Augmentation.parse(a.toString())).isEqualTo(a);
        assertThat(Augmentation.parse("none").isNone()).isTrue();
        assertThat(Augmentation.parse("").isNone()).isTrue();
        assertThatThrownBy(() -> Augmentation.parse("spin=3")).hasMessageContaining("unknown augmentation 'spin'");
        assertThatThrownBy(() -> Augmentation.parse("zoom_range=1.5")).hasMessageContaining("zoom_range");
        assertThatThrownBy(() -> Augmentation.parse("rotation_range=x")).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> Augmentation.parse("fill_mode=mirror")).hasMessageContaining("nearest, constant");
        assertThatThrownBy(() -> Augmentation.parse("rotation_range=10@2")).hasMessageContaining("probability");
    }

    private static Draw draw(double rotation, double shiftX, double shiftY, double shear, double zoomX, double zoomY,
                             boolean flip) {
        return new Draw(rotation, shiftX, shiftY, shear, zoomX, zoomY, flip, 1, 1, 0, 0, 1, 1, 1, 0, 0);
    }

    private static Draw jitter(double brightness, double contrast, double saturation) {
        return new Draw(0, 0, 0, 0, 1, 1, false, 1, 1, 0, 0, brightness, contrast, saturation, 0, 0);
    }

    private static float[] render(InputShape shape, FillMode mode, float[] image, Draw draw) {
        Augmentation a = Augmentation.parse("fill_mode=" + mode.name().toLowerCase(java.util.Locale.ROOT) + ",cval=7");
        return new Augmenter(a, shape).render(image, draw);
    }

    private static float[] pixel(InputShape shape, int x, int y) {
        float[] image = new float[shape.pixels()];
        image[y * shape.width() + x] = 255;
        return image;
    }

    /** {x, y} of the brightest pixel. */
    private static int[] brightest(float[] image, int width) {
        int best = 0;
        for (int i = 1; i < image.length; i++) {
            if (image[i] > image[best]) {
                best = i;
            }
        }
        return new int[] {best % width, best / width};
    }

    private static double sum(float[] image) {
        double total = 0;
        for (float v : image) {
            total += v;
        }
        return total;
    }
}
