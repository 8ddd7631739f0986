package dev.svertka.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import dev.svertka.card.InputShape;

/**
 * MNIST-like digits the project draws itself, so that tests and demos need no download: white
 * font glyphs on black at 28x28 grey, each under a random transform, stroke weight, blur and noise,
 * with now and then a stray line or a bar hiding part of the digit so that a small CNN cannot
 * reach 100%. The same count and seed always give the same bytes (on the same JDK and fonts).
 */
public final class SyntheticDigits {

    public static final InputShape SHAPE = new InputShape(1, 28, 28);

    private static final int SIZE = SHAPE.width();
    private static final String[] FAMILIES = {"SansSerif", "Serif", "Monospaced", "Dialog"};
    private static final int[] STYLES = {Font.PLAIN, Font.BOLD, Font.ITALIC, Font.BOLD | Font.ITALIC};

    /** Outline of every digit in every font and style, made once; each image only transforms one. */
    private static final Shape[][] GLYPHS;

    static {
        // Servers and CI have no display; without this AWT may try to reach an X server when drawing.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        GLYPHS = glyphs();
    }

    private SyntheticDigits() {
    }

    /** {@code count} images with labels {@code 0..9} in equal numbers (as far as count allows), shuffled. */
    public static LabeledImages generate(int count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] labels = IntStream.range(0, count).map(i -> i % 10).toArray();
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = labels[i];
            labels[i] = labels[j];
            labels[j] = swap;
        }
        // One seed per image, drawn up front, keeps the output independent of how threads split the work.
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = random.nextLong();
        }
        int n = SHAPE.pixels();
        byte[] pixels = new byte[count * n];
        IntStream.range(0, count).parallel()
                .forEach(i -> draw(labels[i], new SplittableRandom(seeds[i]), pixels, i * n));
        return new LabeledImages(SHAPE, pixels, labels, IdxDataset.DIGIT_CLASSES);
    }

    private static Shape[][] glyphs() {
        FontRenderContext context = new FontRenderContext(null, true, true);
        Shape[][] glyphs = new Shape[FAMILIES.length * STYLES.length][10];
        for (int f = 0; f < FAMILIES.length; f++) {
            for (int s = 0; s < STYLES.length; s++) {
                Font font = new Font(FAMILIES[f], STYLES[s], 100);
                for (int digit = 0; digit < 10; digit++) {
                    glyphs[f * STYLES.length + s][digit] =
                            font.createGlyphVector(context, String.valueOf(digit)).getOutline();
                }
            }
        }
        return glyphs;
    }

    private static void draw(int digit, SplittableRandom random, byte[] out, int offset) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            Shape digitShape = placedGlyph(GLYPHS[random.nextInt(GLYPHS.length)][digit], random);
            int level = random.nextInt(170, 256);
            g.setColor(new Color(level, level, level));
            g.fill(digitShape);
            // Tracing the outline in white thickens the stroke, in black thins it: pen-weight variety.
            // A zero-width BasicStroke would still draw a 1 px hairline, hence the dead zone.
            double pen = random.nextDouble(-0.5, 2.5);
            if (Math.abs(pen) > 0.25) {
                if (pen < 0) {
                    g.setColor(Color.BLACK);
                }
                g.setStroke(new BasicStroke((float) Math.abs(pen), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(digitShape);
            }
            clutter(g, random);
        } finally {
            g.dispose();
        }
        finish(((DataBufferByte) image.getRaster().getDataBuffer()).getData(), random, out, offset);
    }

    /** Sometimes a stray line, sometimes a black bar across the digit: what keeps accuracy below 100%. */
    private static void clutter(Graphics2D g, SplittableRandom random) {
        if (random.nextDouble() < 0.2) {
            int stray = random.nextInt(80, 256);
            g.setColor(new Color(stray, stray, stray));
            g.setStroke(new BasicStroke((float) random.nextDouble(0.8, 2.0), BasicStroke.CAP_ROUND,
                    BasicStroke.JOIN_ROUND));
            g.draw(new Line2D.Double(random.nextDouble(SIZE), random.nextDouble(SIZE),
                    random.nextDouble(SIZE), random.nextDouble(SIZE)));
        }
        if (random.nextDouble() < 0.1) {
            g.setColor(Color.BLACK);
            g.setTransform(AffineTransform.getRotateInstance(random.nextDouble(Math.PI), SIZE / 2.0, SIZE / 2.0));
            g.fill(new Rectangle2D.Double(0, random.nextDouble(8, 18), SIZE, random.nextDouble(2, 4)));
        }
    }

    /** The glyph scaled to MNIST's 14-22 px digit height, squeezed, slanted, rotated ±15° and shifted. */
    private static Shape placedGlyph(Shape glyph, SplittableRandom random) {
        Rectangle2D bounds = glyph.getBounds2D();
        double scale = random.nextDouble(14, 22) / bounds.getHeight();
        AffineTransform transform = new AffineTransform();
        transform.translate(SIZE / 2.0 + random.nextDouble(-2.5, 2.5), SIZE / 2.0 + random.nextDouble(-2.5, 2.5));
        transform.rotate(Math.toRadians(random.nextDouble(-15, 15)));
        transform.shear(random.nextDouble(-0.2, 0.2), 0);
        transform.scale(scale * random.nextDouble(0.75, 1.25), scale);
        transform.translate(-bounds.getCenterX(), -bounds.getCenterY());
        return transform.createTransformedShape(glyph);
    }

    /** Optional soft blur, then Gaussian noise, written as bytes into {@code out}. */
    private static void finish(byte[] drawn, SplittableRandom random, byte[] out, int offset) {
        double blur = random.nextDouble() < 0.5 ? random.nextDouble(0.3, 1.0) : 0;
        double noise = random.nextDouble(0, 18);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double value = drawn[y * SIZE + x] & 0xFF;
                if (blur > 0) {
                    value = (1 - blur) * value + blur * smoothed(drawn, x, y);
                }
                value += noise * random.nextGaussian();
                out[offset + y * SIZE + x] = (byte) Math.max(0, Math.min(255, Math.round(value)));
            }
        }
    }

    /** 3x3 binomial (1 2 1) average at (x, y), edges clamped. */
    private static double smoothed(byte[] pixels, int x, int y) {
        double sum = 0;
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int sx = Math.max(0, Math.min(SIZE - 1, x + dx));
                int sy = Math.max(0, Math.min(SIZE - 1, y + dy));
                sum += (2 - Math.abs(dx)) * (2 - Math.abs(dy)) * (pixels[sy * SIZE + sx] & 0xFF);
            }
        }
        return sum / 16;
    }
}
