package dev.svertka.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

import dev.svertka.data.LabeledImages;
import dev.svertka.image.ImageEncoder;
import dev.svertka.image.Resampler;
import dev.svertka.report.Explainability.Plane;
import dev.svertka.train.Trainer;

/**
 * The report's pictures. They carry no text (a JDK without fonts can still draw them): the page holds the
 * numbers and captions, and its colours name the series drawn here.
 */
final class Charts {

    private static final Color TRAIN = new Color(0x1F77B4);
    private static final Color VALIDATION = new Color(0xFF7F0E);
    private static final Color F1 = new Color(0x2CA02C);

    private Charts() {
    }

    /** Loss (left) and accuracy (right) per epoch, training and validation. */
    static BufferedImage curves(List<Trainer.EpochMetrics> history) {
        int w = 360;
        int h = 240;
        BufferedImage image = canvas(2 * w, h);
        Graphics2D g = image.createGraphics();
        double maxLoss = history.stream().mapToDouble(m -> Math.max(m.loss(), Double.isNaN(m.valLoss()) ? 0
                : m.valLoss())).max().orElse(1);
        plot(g, 0, w, h, history.stream().mapToDouble(Trainer.EpochMetrics::loss).toArray(), maxLoss, TRAIN);
        plot(g, 0, w, h, history.stream().mapToDouble(Trainer.EpochMetrics::valLoss).toArray(), maxLoss, VALIDATION);
        plot(g, w, w, h, history.stream().mapToDouble(Trainer.EpochMetrics::accuracy).toArray(), 1, TRAIN);
        plot(g, w, w, h, history.stream().mapToDouble(Trainer.EpochMetrics::valAccuracy).toArray(), 1, VALIDATION);
        g.dispose();
        return image;
    }

    /** One series in a panel at x offset {@code left}: y from 0 to {@code max}, epochs spread across. */
    private static void plot(Graphics2D g, int left, int w, int h, double[] values, double max, Color colour) {
        int pad = 20;
        g.setColor(Color.GRAY);
        g.drawLine(left + pad, h - pad, left + w - pad, h - pad);
        g.drawLine(left + pad, pad, left + pad, h - pad);
        g.setColor(colour);
        g.setStroke(new BasicStroke(2));
        int previousX = -1;
        int previousY = -1;
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                continue;
            }
            int x = left + pad + (values.length == 1 ? (w - 2 * pad) / 2 : i * (w - 2 * pad) / (values.length - 1));
            int y = h - pad - (int) Math.round(Math.min(1, values[i] / max) * (h - 2 * pad));
            g.fillOval(x - 3, y - 3, 7, 7);
            if (previousX >= 0) {
                g.drawLine(previousX, previousY, x, y);
            }
            previousX = x;
            previousY = y;
        }
    }

    /** A cell per (true, predicted) pair, shaded by its share of the true class. */
    static BufferedImage confusion(long[][] confusion) {
        int n = confusion.length;
        int cell = 24;
        BufferedImage image = canvas(n * cell, n * cell);
        for (int t = 0; t < n; t++) {
            long row = 0;
            for (long v : confusion[t]) {
                row += v;
            }
            for (int p = 0; p < n; p++) {
                double share = row == 0 ? 0 : (double) confusion[t][p] / row;
                // the diagonal in blue, confusions in red, darker for a larger share of the true class
                int shade = 255 - (int) Math.round(share * 220);
                Color colour = t == p ? new Color(shade, shade, 255) : new Color(255, shade, shade);
                fill(image, p * cell, t * cell, cell - 1, cell - 1, colour.getRGB());
            }
        }
        return image;
    }

    /** Three bars per class: precision, recall, F1. */
    static BufferedImage classScores(List<ReportData.ClassScore> scores) {
        int group = 40;
        int h = 200;
        BufferedImage image = canvas(scores.size() * group, h);
        for (int c = 0; c < scores.size(); c++) {
            ReportData.ClassScore score = scores.get(c);
            double[] bars = {score.precision(), score.recall(), score.f1()};
            Color[] colours = {TRAIN, VALIDATION, F1};
            for (int k = 0; k < bars.length; k++) {
                int height = (int) Math.round(bars[k] * (h - 10));
                fill(image, c * group + 4 + k * 11, h - height, 10, height, colours[k].getRGB());
            }
        }
        return image;
    }

    /** The given images, ten to a row, enlarged twice. */
    static BufferedImage tiles(LabeledImages images, List<Integer> indices) {
        int columns = 10;
        int scale = 2;
        int tw = images.shape().width() * scale + 2;
        int th = images.shape().height() * scale + 2;
        int rows = (indices.size() + columns - 1) / columns;
        BufferedImage image = canvas(columns * tw, rows * th);
        Graphics2D g = image.createGraphics();
        for (int k = 0; k < indices.size(); k++) {
            g.drawImage(ImageEncoder.toImage(images.shape(), images.image(indices.get(k))),
                    (k % columns) * tw + 1, (k / columns) * th + 1, tw - 2, th - 2, null);
        }
        g.dispose();
        return image;
    }

    /** Each filter as a small grey tile, enlarged, sixteen to a row. */
    static BufferedImage filters(List<Plane> filters) {
        int count = filters.size();
        int kh = filters.get(0).height();
        int kw = filters.get(0).width();
        int scale = 8;
        int columns = Math.min(count, 16);
        int rows = (count + columns - 1) / columns;
        BufferedImage image = canvas(columns * (kw * scale + 2), rows * (kh * scale + 2));
        for (int f = 0; f < count; f++) {
            grey(image, filters.get(f), (f % columns) * (kw * scale + 2) + 1, (f / columns) * (kh * scale + 2) + 1,
                    scale);
        }
        return image;
    }

    /**
     * One block per layer, sixteen maps to a row, each in a square cell as tall as the input image
     * ({@code inputHeight}) enlarged twice, photos shown at most 112 pixels high.
     */
    static BufferedImage activations(List<List<Plane>> layers, int inputHeight) {
        int columns = 16;
        int cell = Math.min(inputHeight * 2, 112) + 2;
        int height = 0;
        for (List<Plane> maps : layers) {
            height += (maps.size() + columns - 1) / columns * cell + 6;
        }
        BufferedImage image = canvas(columns * cell, Math.max(1, height));
        int y = 0;
        for (List<Plane> maps : layers) {
            for (int c = 0; c < maps.size(); c++) {
                Plane map = fitting(maps.get(c), cell - 2);
                int scale = Math.max(1, (cell - 2) / Math.max(map.height(), map.width()));
                grey(image, map, (c % columns) * cell + 1, y + (c / columns) * cell + 1, scale);
            }
            y += ((maps.size() + columns - 1) / columns) * cell + 6;
        }
        return image;
    }

    /** Each image and, beside it, its saliency as a heat map, enlarged three times. */
    static BufferedImage saliency(LabeledImages images, List<Plane> saliency) {
        int n = saliency.size();
        int w = images.shape().width();
        int h = images.shape().height();
        int scale = 3;
        BufferedImage image = canvas(2 * n * (w * scale + 4), h * scale + 4);
        for (int i = 0; i < n; i++) {
            Graphics2D g = image.createGraphics();
            g.drawImage(ImageEncoder.toImage(images.shape(), images.image(i)), 2 * i * (w * scale + 4) + 2, 2,
                    w * scale, h * scale, null);
            g.dispose();
            float[] heat = normalise(saliency.get(i).values());
            int left = (2 * i + 1) * (w * scale + 4) + 2;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = Math.round(heat[y * w + x]);
                    fill(image, left + x * scale, 2 + y * scale, scale, scale, new Color(v, v / 3, 0).getRGB());
                }
            }
        }
        return image;
    }

    /** Values stretched to 0..255 (all 0 when they are all equal). */
    private static float[] normalise(float[] values) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = max > min ? 255 * (values[i] - min) / (max - min) : 0;
        }
        return out;
    }

    /** {@code map}, normalised, in grey at ({@code left}, {@code top}), each value a {@code scale}-pixel square. */
    /** The map shrunk (antialiased) to at most {@code side} pixels a side, so that a photo's maps fit their cells. */
    private static Plane fitting(Plane map, int side) {
        int largest = Math.max(map.width(), map.height());
        if (largest <= side) {
            return map;
        }
        int width = Math.max(1, map.width() * side / largest);
        int height = Math.max(1, map.height() * side / largest);
        return new Plane(Resampler.resize(map.values(), map.width(), map.height(), width, height), width, height);
    }

    private static void grey(BufferedImage image, Plane map, int left, int top, int scale) {
        float[] grey = normalise(map.values());
        for (int y = 0; y < map.height(); y++) {
            for (int x = 0; x < map.width(); x++) {
                int v = Math.round(grey[y * map.width() + x]);
                fill(image, left + x * scale, top + y * scale, scale, scale, new Color(v, v, v).getRGB());
            }
        }
    }

    private static void fill(BufferedImage image, int x, int y, int w, int h, int rgb) {
        for (int j = Math.max(0, y); j < Math.min(image.getHeight(), y + h); j++) {
            for (int i = Math.max(0, x); i < Math.min(image.getWidth(), x + w); i++) {
                image.setRGB(i, j, rgb);
            }
        }
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        fill(image, 0, 0, w, h, Color.WHITE.getRGB());
        return image;
    }
}
