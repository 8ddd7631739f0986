package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

@QuarkusMainTest
class PreviewCommandTest {

    @Test
    void writesAGridOfOriginalsAndTheirAugmentedVersions(QuarkusMainLauncher launcher) throws Exception {
        Path png = Files.createTempDirectory("svertka-preview-").resolve("grid.png");

        LaunchResult result = launcher.launch("preview", "--data", "synthetic:100", "--images", "4", "--variants", "5",
                "--scale", "2", "--augment", "rotation_range=20,width_shift_range=0.1,zoom_range=0.1,fill_mode=constant",
                "--output", png.toString());

        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        assertThat(result.getOutput()).contains("Wrote", "4 images x (original + 5 augmented)");
        BufferedImage grid = ImageIO.read(png.toFile());
        // 6 tiles of 56 px with 4 px gaps across, 4 rows down
        assertThat(grid.getWidth()).isEqualTo(6 * 60 + 4);
        assertThat(grid.getHeight()).isEqualTo(4 * 60 + 4);
        // each augmented tile differs from its original (first row, tiles 0 and 1)
        assertThat(tile(grid, 0, 0)).isNotEqualTo(tile(grid, 1, 0));
    }

    @Test
    void aBadAugmentationIsOneClearLine(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("preview", "--data", "synthetic:100", "--augment", "spin=4");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.getErrorOutput()).contains("unknown augmentation 'spin'");
    }

    private static int[] tile(BufferedImage grid, int column, int row) {
        return grid.getRGB(4 + column * 60, 4 + row * 60, 56, 56, null, 0, 56);
    }
}
