package dev.svertka.data;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleFunction;
import java.util.stream.IntStream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A colour photo data set Svertka draws itself, since none ships offline: {@code train/} and {@code test/} class
 * folders of JPEG photos (quality 85-95; one in six is PNG) from 160x120 to 1024x768, landscape, portrait and
 * square. A class is an object of its own shape and colour (a red circle, a blue square, ...), turned, scaled,
 * shaded and set a little off-centre on a textured background of muted colours, with small distractor blobs, a
 * white balance cast and sensor noise: a small CNN learns the classes, and so would a frozen ImageNet backbone's features. The same
 * plan always writes the same files (on the same JDK).
 */
public final class SyntheticPhotos {

    /** A class: its folder name, the hue of its object (null: white) and the object's outline in a unit box. */
    private record Kind(String name, Float hue, DoubleFunction<Shape> outline) {
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("red-circle", 0.0f, r -> new Ellipse2D.Double(-r, -r, 2 * r, 2 * r)),
            new Kind("blue-square", 0.62f, r -> new Rectangle2D.Double(-r * 0.85, -r * 0.85, r * 1.7, r * 1.7)),
            new Kind("green-triangle", 0.33f, r -> polygon(3, r, 1, 0)),
            new Kind("yellow-star", 0.15f, r -> polygon(10, r, 0.45, 0)),
            new Kind("purple-ring", 0.78f, r -> ring(r)),
            new Kind("orange-cross", 0.07f, r -> cross(r)),
            new Kind("cyan-diamond", 0.5f, r -> polygon(4, r, 1, 0)),
            new Kind("magenta-hexagon", 0.88f, r -> polygon(6, r, 1, Math.PI / 6)),
            new Kind("white-crescent", null, r -> crescent(r)),
            new Kind("teal-bar", 0.45f, r -> new Rectangle2D.Double(-r, -r * 0.3, 2 * r, r * 0.6)));

    /** Camera-like sizes: 4:3, 3:2, 16:9, square and portrait. */
    private static final int[][] SIZES = {{160, 120}, {320, 240}, {300, 200}, {400, 400}, {480, 640}, {640, 480},
            {800, 450}, {240, 320}, {1024, 768}, {512, 384}};

    /**
     * What to write.
     *
     * @param perClass     training photos per class
     * @param testPerClass test photos per class (0: no test/ folder)
     * @param classes      how many classes, 1 to {@link #maxClasses()}
     */
    public record Plan(int perClass, int testPerClass, int classes, long seed) {

        public Plan {
            if (perClass < 1 || testPerClass < 0) {
                throw new IllegalArgumentException("photos per class must be positive (test: >= 0), got " + perClass
                        + " and " + testPerClass);
            }
            if (classes < 1 || classes > KINDS.size()) {
                throw new IllegalArgumentException("classes must be 1.." + KINDS.size() + ", got " + classes);
            }
        }

        int total() {
            return classes * (perClass + testPerClass);
        }
    }

    /** Hears how many photos are written, of how many. Called from several threads. */
    public interface Progress {
        Progress NONE = (written, total) -> {
        };

        void update(int written, int total);
    }

    static {
        // servers and CI have no display; without this AWT may try to reach an X server when drawing
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private SyntheticPhotos() {
    }

    public static int maxClasses() {
        return KINDS.size();
    }

    /** The class names of the first {@code classes} classes, in the folders' (alphabetical) order. */
    public static List<String> classNames(int classes) {
        return KINDS.subList(0, classes).stream().map(Kind::name).sorted().toList();
    }

    /** Writes {@code out/train/CLASS/*} and, with test photos, {@code out/test/CLASS/*}. */
    public static void write(Path out, Plan plan, Progress progress) throws IOException {
        int perKind = plan.perClass() + plan.testPerClass();
        for (int k = 0; k < plan.classes(); k++) {
            Files.createDirectories(out.resolve("train").resolve(KINDS.get(k).name()));
            if (plan.testPerClass() > 0) {
                Files.createDirectories(out.resolve("test").resolve(KINDS.get(k).name()));
            }
        }
        AtomicInteger written = new AtomicInteger();
        try {
            // each photo has its own seeded randomness, so the files do not depend on the threads' order
            IntStream.range(0, plan.total()).parallel().forEach(n -> {
                Kind kind = KINDS.get(n / perKind);
                int index = n % perKind;
                boolean test = index >= plan.perClass();
                SplittableRandom random = new SplittableRandom(plan.seed() * 0x9E3779B97F4A7C15L + n);
                boolean png = random.nextInt(6) == 0;
                String file = String.format("%s-%04d.%s", kind.name(), test ? index - plan.perClass() : index,
                        png ? "png" : "jpg");
                Path path = out.resolve(test ? "test" : "train").resolve(kind.name()).resolve(file);
                try {
                    Files.write(path, encode(draw(kind, random), png, random));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                progress.update(written.incrementAndGet(), plan.total());
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static BufferedImage draw(Kind kind, SplittableRandom random) {
        int[] size = SIZES[random.nextInt(SIZES.length)];
        int w = size[0];
        int h = size[1];
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        background(g, w, h, random);
        int shorter = Math.min(w, h);
        for (int i = random.nextInt(4); i > 0; i--) {
            // distractors: small, of any colour, anywhere
            double r = shorter * (0.03 + 0.04 * random.nextDouble());
            g.setColor(Color.getHSBColor(random.nextFloat(), 0.3f + 0.5f * random.nextFloat(), 0.3f + 0.6f * random.nextFloat()));
            g.fill(new Ellipse2D.Double(random.nextDouble() * w - r, random.nextDouble() * h - r, 2 * r, 2 * r * (0.5 + random.nextDouble())));
        }
        double radius = shorter * (0.18 + 0.12 * random.nextDouble());
        AffineTransform place = new AffineTransform();
        place.translate(w * (0.5 + 0.24 * (random.nextDouble() - 0.5)), h * (0.5 + 0.24 * (random.nextDouble() - 0.5)));
        place.rotate(random.nextDouble() * 2 * Math.PI);
        Shape object = place.createTransformedShape(kind.outline().apply(radius));
        Color colour = kind.hue() == null
                ? Color.getHSBColor(0, 0.08f * random.nextFloat(), 0.85f + 0.15f * random.nextFloat())
                : Color.getHSBColor(kind.hue() + 0.04f * (random.nextFloat() - 0.5f), 0.65f + 0.35f * random.nextFloat(),
                0.6f + 0.4f * random.nextFloat());
        Rectangle2D box = object.getBounds2D();
        // lit from one side: the far side of the object is darker
        g.setPaint(new GradientPaint((float) box.getMinX(), (float) box.getMinY(), colour, (float) box.getMaxX(),
                (float) box.getMaxY(), colour.darker()));
        g.fill(object);
        g.dispose();
        camera(image, 2 + 4 * random.nextDouble(), random);
        return image;
    }

    /** A gradient between two muted colours, textured with translucent strokes and blobs. */
    private static void background(Graphics2D g, int w, int h, SplittableRandom random) {
        g.setPaint(new GradientPaint(0, 0, muted(random, 255), w * random.nextFloat(), h, muted(random, 255)));
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 40; i++) {
            g.setColor(muted(random, 30 + random.nextInt(40)));
            double x = random.nextDouble() * w;
            double y = random.nextDouble() * h;
            double r = Math.min(w, h) * (0.02 + 0.2 * random.nextDouble());
            if (random.nextBoolean()) {
                g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, r * (0.3 + random.nextDouble())));
            } else {
                g.fill(new Rectangle2D.Double(x - r, y - r / 8, 2 * r, r / 4));
            }
        }
    }

    private static Color muted(SplittableRandom random, int alpha) {
        Color c = Color.getHSBColor(random.nextFloat(), 0.05f + 0.3f * random.nextFloat(), 0.3f + 0.55f * random.nextFloat());
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** A camera's white balance (a gain per channel, so colour alone is a less certain cue) and its noise. */
    private static void camera(BufferedImage image, double std, SplittableRandom random) {
        byte[] bytes = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        double[] gains = {0.85 + 0.3 * random.nextDouble(), 0.85 + 0.3 * random.nextDouble(),
                0.85 + 0.3 * random.nextDouble()};
        for (int i = 0; i < bytes.length; i++) {
            // a cheap bell-shaped noise: the sum of three uniforms
            double noise = (random.nextDouble() + random.nextDouble() + random.nextDouble() - 1.5) * 2 * std;
            double value = (bytes[i] & 0xFF) * gains[i % 3] + noise;
            bytes[i] = (byte) Math.max(0, Math.min(255, (int) Math.round(value)));
        }
    }

    private static byte[] encode(BufferedImage image, boolean png, SplittableRandom random) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            if (png) {
                ImageIO.write(image, "png", out);
            } else {
                ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.85f + 0.1f * random.nextFloat());
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, null), param);
                writer.dispose();
            }
        }
        return bytes.toByteArray();
    }

    /** A regular polygon ({@code inner} 1) or a star: corners alternately at radius r and r * inner. */
    private static Shape polygon(int corners, double r, double inner, double turn) {
        Path2D.Double path = new Path2D.Double();
        for (int i = 0; i < corners; i++) {
            double radius = i % 2 == 0 ? r : r * inner;
            double angle = turn + 2 * Math.PI * i / corners - Math.PI / 2;
            if (i == 0) {
                path.moveTo(radius * Math.cos(angle), radius * Math.sin(angle));
            } else {
                path.lineTo(radius * Math.cos(angle), radius * Math.sin(angle));
            }
        }
        path.closePath();
        return path;
    }

    private static Shape ring(double r) {
        Area ring = new Area(new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
        ring.subtract(new Area(new Ellipse2D.Double(-r * 0.55, -r * 0.55, r * 1.1, r * 1.1)));
        return ring;
    }

    private static Shape cross(double r) {
        Area cross = new Area(new Rectangle2D.Double(-r, -r * 0.3, 2 * r, r * 0.6));
        cross.add(new Area(new Rectangle2D.Double(-r * 0.3, -r, r * 0.6, 2 * r)));
        return cross;
    }

    private static Shape crescent(double r) {
        Area crescent = new Area(new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
        crescent.subtract(new Area(new Ellipse2D.Double(-r * 0.4, -r, 2 * r, 2 * r)));
        return crescent;
    }
}
