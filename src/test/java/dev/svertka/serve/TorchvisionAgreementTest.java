package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.svertka.card.InputRecipe;
import dev.svertka.card.ModelCard;
import dev.svertka.image.ImageDecoder;
import dev.svertka.registry.ImportedCard;

/**
 * The card's recipe ({@code Resize(72)}, {@code CenterCrop(64)}) turns the photos into nearly the pixels
 * torchvision makes of them with Pillow: same geometry, antialiased resampling, the same JPEG decoding up to
 * rounding (Pillow rounds to bytes after each resampling pass; Svertka keeps floats). Measured: mean
 * |difference| 0.23 of 255, at most 1.
 */
class TorchvisionAgreementTest {

    @Test
    void decodedResizedAndCroppedPhotosMatchTorchvisionsPixels() throws Exception {
        ModelCard card = ImportedCard.read(ForeignPhotoModel.card(), null);
        ImageDecoder decoder = new ImageDecoder(card.recipe(), ImageDecoder.Limits.DEFAULT);
        List<ForeignPhotoModel.Photo> photos = ForeignPhotoModel.photos();
        double worst = 0;
        double sum = 0;
        long values = 0;
        for (ForeignPhotoModel.Photo photo : photos) {
            float[] pixels = decoder.pixels(Files.readAllBytes(photo.file()), null, null);
            assertThat(pixels).hasSameSizeAs(photo.pixels());
            for (int i = 0; i < pixels.length; i++) {
                double difference = Math.abs(pixels[i] - photo.pixels()[i] * 255);
                worst = Math.max(worst, difference);
                sum += difference;
                values++;
            }
        }
        double mean = sum / values;
        System.out.printf("Svertka vs torchvision pixels over %d photos: mean |diff| %.3f, max %.2f (0..255)%n",
                photos.size(), mean, worst);
        assertThat(mean).isLessThan(0.35);
        assertThat(worst).isLessThanOrEqualTo(1.5);
    }
}
