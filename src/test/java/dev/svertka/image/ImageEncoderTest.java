package dev.svertka.image;

import dev.svertka.data.LabeledImages;
import dev.svertka.data.SyntheticDigits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import dev.svertka.card.InputShape;

class ImageEncoderTest {

    @Test
    void writesAGreyPngOfTheImage() throws IOException {
        LabeledImages digits = SyntheticDigits.generate(2, 4);

        BufferedImage read = ImageIO.read(new ByteArrayInputStream(ImageEncoder.png(digits, 1)));

        assertThat(read.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(read.getWidth()).isEqualTo(28);
        int[] samples = read.getRaster().getSamples(0, 0, 28, 28, 0, (int[]) null);
        byte[] image = digits.image(1);
        for (int i = 0; i < samples.length; i++) {
            assertThat(samples[i]).isEqualTo(image[i] & 0xFF);
        }
    }

    @Test
    void writesRgbPlanesAsColours() throws IOException {
        InputShape shape = new InputShape(3, 2, 3);
        byte[] chw = new byte[shape.pixels()];
        new Random(8).nextBytes(chw);

        BufferedImage read = ImageIO.read(new ByteArrayInputStream(ImageEncoder.png(shape, chw)));

        assertThat(read.getWidth()).isEqualTo(3);
        assertThat(read.getHeight()).isEqualTo(2);
        int topRight = read.getRGB(2, 0);
        assertThat(topRight >> 16 & 0xFF).isEqualTo(chw[2] & 0xFF);
        assertThat(topRight >> 8 & 0xFF).isEqualTo(chw[6 + 2] & 0xFF);
        assertThat(topRight & 0xFF).isEqualTo(chw[12 + 2] & 0xFF);
    }

    @Test
    void refusesAWrongSizedImage() {
        assertThatThrownBy(() -> ImageEncoder.png(new InputShape(1, 28, 28), new byte[10]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("784");
    }
}
