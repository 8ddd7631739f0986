package dev.svertka.data;

import dev.svertka.image.ImageEncoder;
import dev.svertka.image.Pixels;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

import dev.svertka.card.InputShape;

/**
 * A picture of what augmentation does: one row per image, its original first, then augmented
 * versions of it as successive epochs would see them, each tile enlarged so a person can see it.
 */
public final class AugmentationPreview {

    private static final int GAP = 4;

    private AugmentationPreview() {
    }

    /**
     * @param variants augmented versions per image (the epochs 0..variants-1)
     * @param scale    each pixel becomes scale x scale pixels
     */
    public static BufferedImage grid(LabeledImages images, Augmenter augmenter, int variants, long seed, int scale) {
        InputShape shape = images.shape();
        int tileW = shape.width() * scale;
        int tileH = shape.height() * scale;
        int columns = variants + 1;
        BufferedImage grid = new BufferedImage(columns * (tileW + GAP) + GAP, images.size() * (tileH + GAP) + GAP,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(new Color(0x4060A0)); // a frame colour that no grey tile has
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            for (int row = 0; row < images.size(); row++) {
                byte[] original = images.image(row);
                for (int column = 0; column < columns; column++) {
                    byte[] tile = column == 0 ? original
                            : Pixels.toBytes(augmenter.apply(original, seed, column - 1, row), 1f);
                    g.drawImage(ImageEncoder.toImage(shape, tile), GAP + column * (tileW + GAP),
                            GAP + row * (tileH + GAP), tileW, tileH, null);
                }
            }
        } finally {
            g.dispose();
        }
        return grid;
    }
}
