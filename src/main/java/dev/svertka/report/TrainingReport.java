package dev.svertka.report;

import dev.svertka.train.Evaluation;
import dev.svertka.train.FineTuning;
import dev.svertka.train.ImageBatches;
import dev.svertka.train.Trainer;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import dev.svertka.data.LabeledImages;

/**
 * An HTML page with PNG pictures of a trained network: training/validation curves, confusion matrix,
 * per-class precision/recall/F1, misclassified test images, and why it works: the first layer's
 * filters, each conv layer's activation maps for one test image, and saliency maps (the gradient of
 * the predicted class's log-probability with respect to the input pixels). Pictures carry no text
 * (a JDK without fonts can still draw them); the page holds the numbers and captions.
 */
public final class TrainingReport {

    public static final String PAGE = "report.html";
    static final int MISCLASSIFIED_SHOWN = 40;
    static final int SALIENCY_SHOWN = 6;
    private static final Color TRAIN = new Color(0x1F77B4);
    private static final Color VALIDATION = new Color(0xFF7F0E);

    private TrainingReport() {
    }

    /** Writes the page and its pictures into {@code dir}; returns the page. */
    public static Path write(Path dir, String title, MultiLayerNetwork network, List<Trainer.EpochMetrics> history,
                             LabeledImages test) throws IOException {
        Files.createDirectories(dir);
        int[] predicted = predict(network, test);
        int classes = test.classes();
        long[][] confusion = new long[classes][classes];
        List<Integer> wrong = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            confusion[test.labels()[i]][predicted[i]]++;
            if (predicted[i] != test.labels()[i]) {
                wrong.add(i);
            }
        }
        List<Integer> shownWrong = wrong.subList(0, Math.min(MISCLASSIFIED_SHOWN, wrong.size()));
        if (!history.isEmpty()) {
            png(dir, "curves.png", curves(history));
        }
        png(dir, "confusion.png", confusion(confusion));
        double[][] prf = precisionRecallF1(confusion);
        png(dir, "per-class.png", bars(prf));
        if (!shownWrong.isEmpty()) {
            png(dir, "misclassified.png", tiles(test, shownWrong));
        }
        int firstConv = firstConv(network);
        if (firstConv >= 0) {
            png(dir, "filters.png", filters(network.getLayer(firstConv).getParam("W")));
            png(dir, "activations.png", activations(network, test));
        }
        png(dir, "saliency.png", saliency(network, test, predicted));
        Path page = dir.resolve(PAGE);
        Files.writeString(page, html(title, history, test, confusion, prf, wrong.size(), shownWrong, predicted,
                firstConv >= 0), StandardCharsets.UTF_8);
        return page;
    }

    private static int[] predict(MultiLayerNetwork network, LabeledImages images) {
        int[] predicted = new int[images.size()];
        ImageBatches batches = ImageBatches.inOrder(images, 256);
        int offset = 0;
        while (batches.hasNext()) {
            INDArray p = network.output(batches.next().getFeatures(), false);
            INDArray argmax = p.argMax(1);
            for (int i = 0; i < p.rows(); i++) {
                predicted[offset + i] = argmax.getInt(i);
            }
            offset += (int) p.rows();
        }
        return predicted;
    }

    static double[][] precisionRecallF1(long[][] confusion) {
        int n = confusion.length;
        double[][] out = new double[n][3];
        for (int c = 0; c < n; c++) {
            long tp = confusion[c][c];
            long predictedC = 0;
            long actualC = 0;
            for (int k = 0; k < n; k++) {
                predictedC += confusion[k][c];
                actualC += confusion[c][k];
            }
            double precision = predictedC == 0 ? 0 : (double) tp / predictedC;
            double recall = actualC == 0 ? 0 : (double) tp / actualC;
            out[c][0] = precision;
            out[c][1] = recall;
            out[c][2] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        return out;
    }

    private static BufferedImage curves(List<Trainer.EpochMetrics> history) {
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

    private static BufferedImage confusion(long[][] confusion) {
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

    private static BufferedImage bars(double[][] prf) {
        int group = 40;
        int h = 200;
        BufferedImage image = canvas(prf.length * group, h);
        Color[] colours = {TRAIN, VALIDATION, new Color(0x2CA02C)};
        for (int c = 0; c < prf.length; c++) {
            for (int k = 0; k < 3; k++) {
                int height = (int) Math.round(prf[c][k] * (h - 10));
                fill(image, c * group + 4 + k * 11, h - height, 10, height, colours[k].getRGB());
            }
        }
        return image;
    }

    private static BufferedImage tiles(LabeledImages images, List<Integer> indices) {
        int columns = 10;
        int scale = 2;
        int tw = images.shape().width() * scale + 2;
        int th = images.shape().height() * scale + 2;
        int rows = (indices.size() + columns - 1) / columns;
        BufferedImage image = canvas(columns * tw, rows * th);
        Graphics2D g = image.createGraphics();
        for (int k = 0; k < indices.size(); k++) {
            g.drawImage(dev.svertka.image.ImageEncoder.toImage(images.shape(), images.image(indices.get(k))),
                    (k % columns) * tw + 1, (k / columns) * th + 1, tw - 2, th - 2, null);
        }
        g.dispose();
        return image;
    }

    private static int firstConv(MultiLayerNetwork network) {
        for (int i = 0; i < network.getnLayers(); i++) {
            if (convolution(network, i)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean convolution(MultiLayerNetwork network, int i) {
        var layer = network.getLayerWiseConfigurations().getConf(i).getLayer();
        layer = layer instanceof FrozenLayer frozen ? frozen.getLayer() : layer;
        return layer instanceof ConvolutionLayer;
    }

    /** Each filter (averaged over input channels) as a small grey tile, enlarged. */
    private static BufferedImage filters(INDArray weights) {
        int count = (int) weights.size(0);
        int kh = (int) weights.size(2);
        int kw = (int) weights.size(3);
        INDArray mean = weights.mean(1); // [nOut, kh, kw]
        int scale = 8;
        int columns = Math.min(count, 16);
        int rows = (count + columns - 1) / columns;
        BufferedImage image = canvas(columns * (kw * scale + 2), rows * (kh * scale + 2));
        for (int f = 0; f < count; f++) {
            float[] values = mean.get(org.nd4j.linalg.indexing.NDArrayIndex.point(f)).dup().data().asFloat();
            draw(image, normalise(values), kw, kh, (f % columns) * (kw * scale + 2) + 1,
                    (f / columns) * (kh * scale + 2) + 1, scale);
        }
        return image;
    }

    /** One row per conv layer: its feature maps for the first test image. */
    private static BufferedImage activations(MultiLayerNetwork network, LabeledImages test) {
        INDArray input = ImageBatches.batchOf(test.slice(0, 1)).getFeatures();
        List<INDArray> outputs = network.feedForward(input, false);
        List<INDArray> maps = new ArrayList<>();
        for (int i = 0; i < network.getnLayers(); i++) {
            if (convolution(network, i) && outputs.get(i + 1).rank() == 4) {
                maps.add(outputs.get(i + 1));
            }
        }
        int columns = 16;
        int scale = 2;
        int cell = test.shape().height() * scale + 2;
        int height = 0;
        for (INDArray m : maps) {
            height += (int) ((m.size(1) + columns - 1) / columns) * cell + 6;
        }
        BufferedImage image = canvas(columns * cell, Math.max(1, height));
        int y = 0;
        for (INDArray m : maps) {
            int channels = (int) m.size(1);
            int mh = (int) m.size(2);
            int mw = (int) m.size(3);
            int s = Math.max(1, (cell - 2) / Math.max(mh, mw));
            for (int c = 0; c < channels; c++) {
                float[] values = m.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(c)).dup().data().asFloat();
                draw(image, normalise(values), mw, mh, (c % columns) * cell + 1, y + (c / columns) * cell + 1, s);
            }
            y += ((channels + columns - 1) / columns) * cell + 6;
        }
        return image;
    }

    /**
     * For the first test images: the image, then |d log p(predicted) / d pixel| (largest over channels)
     * as a heat map, side by side.
     */
    private static BufferedImage saliency(MultiLayerNetwork network, LabeledImages test, int[] predicted) {
        int n = Math.min(SALIENCY_SHOWN, test.size());
        LabeledImages shown = test.slice(0, n);
        INDArray input = ImageBatches.batchOf(shown).getFeatures();
        INDArray target = Nd4j.zeros(n, test.classes());
        for (int i = 0; i < n; i++) {
            target.putScalar(i, predicted[i], 1);
        }
        // frozen layers pass no gradient back to their input (DL4J fails asking for it): use a thawed copy
        MultiLayerNetwork differentiable = FineTuning.frozenLayers(network) > 0
                ? FineTuning.unfreeze(network, new NoOp()) : network;
        // the loss gradient for a one-hot target is -d log p(target) / d input: its size is the saliency
        INDArray gradient = differentiable.calculateGradients(input, target, null, null).getSecond();
        int w = test.shape().width();
        int h = test.shape().height();
        int scale = 3;
        BufferedImage image = canvas(2 * n * (w * scale + 4), h * scale + 4);
        for (int i = 0; i < n; i++) {
            INDArray strength = Nd4j.math().abs(gradient.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i))).max(0);
            Graphics2D g = image.createGraphics();
            g.drawImage(dev.svertka.image.ImageEncoder.toImage(shown.shape(), shown.image(i)), 2 * i * (w * scale + 4)
                    + 2, 2, w * scale, h * scale, null);
            g.dispose();
            float[] heat = normalise(strength.dup().data().asFloat());
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

    private static void draw(BufferedImage image, float[] grey, int w, int h, int left, int top, int scale) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = Math.round(grey[y * w + x]);
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

    private static void png(Path dir, String name, BufferedImage image) throws IOException {
        if (!ImageIO.write(image, "png", dir.resolve(name).toFile())) {
            throw new IOException("no PNG writer for " + dir.resolve(name));
        }
    }

    private static String html(String title, List<Trainer.EpochMetrics> history, LabeledImages test,
                               long[][] confusion, double[][] prf, int wrongCount, List<Integer> shownWrong,
                               int[] predicted, boolean convolutional) {
        List<String> names = test.classNames();
        StringBuilder out = new StringBuilder();
        long correct = 0;
        for (int c = 0; c < confusion.length; c++) {
            correct += confusion[c][c];
        }
        out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}img{image-rendering:pixelated;"
                        + "border:1px solid #ccc}</style></head><body>\n<h1>").append(escape(title)).append("</h1>\n");
        out.append(String.format(Locale.ROOT, "<p>Test accuracy <b>%.4f</b> (%d of %d images; %d misclassified).</p>%n",
                test.size() == 0 ? Double.NaN : (double) correct / test.size(), correct, test.size(), wrongCount));
        if (history.isEmpty()) {
            out.append("<p>Evaluation only: no training history.</p>\n");
        } else {
            training(out, history);
        }
        perClass(out, names, confusion, prf);
        if (!shownWrong.isEmpty()) {
            misclassified(out, names, test, shownWrong, predicted);
        }
        out.append("<h2>Why it works</h2>\n");
        if (convolutional) {
            out.append("<p><img src=\"filters.png\" alt=\"filters\"><br>First conv layer's filters (averaged over"
                    + " input channels; light = positive weights).</p>\n<p><img src=\"activations.png\" alt=\"activation"
                    + " maps\"><br>Activation maps of each conv layer (one block per layer) for the first test image.</p>\n");
        }
        out.append("<p><img src=\"saliency.png\" alt=\"saliency\"><br>Saliency: each of the first test images and,"
                + " beside it, how strongly each pixel changes the predicted class's log-probability.</p>\n");
        return out.append("</body></html>\n").toString();
    }

    private static void training(StringBuilder out, List<Trainer.EpochMetrics> history) {
        out.append("<h2>Training</h2>\n<p><img src=\"curves.png\" alt=\"curves\"><br>Left: loss, right: accuracy"
                + " (0 to 1), per epoch; <span style=\"color:#1F77B4\">training</span>, <span style=\"color:#FF7F0E\">"
                + "validation</span>.</p>\n<table><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>val_loss</th>"
                + "<th>val_accuracy</th><th>lr</th><th>seconds</th></tr>\n");
        for (Trainer.EpochMetrics m : history) {
            out.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td>"
                    + "<td>%.2g</td><td>%.1f</td></tr>%n", m.epoch(), m.loss(), m.accuracy(), m.valLoss(),
                    m.valAccuracy(), m.learningRate(), m.seconds()));
        }
        out.append("</table>\n");
    }

    private static void perClass(StringBuilder out, List<String> names, long[][] confusion, double[][] prf) {
        out.append("<h2>Per class</h2>\n<p><img src=\"per-class.png\" alt=\"per class\"><br>Bars per class:"
                + " precision (blue), recall (orange), F1 (green).</p>\n<table><tr><th>class</th><th>precision</th>"
                + "<th>recall</th><th>F1</th><th>support</th></tr>\n");
        for (int c = 0; c < names.size(); c++) {
            long support = 0;
            for (long v : confusion[c]) {
                support += v;
            }
            out.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%d</td>"
                    + "</tr>%n", escape(names.get(c)), prf[c][0], prf[c][1], prf[c][2], support));
        }
        out.append("</table>\n<h2>Confusion matrix</h2>\n<p><img src=\"confusion.png\" alt=\"confusion matrix\"><br>"
                + "Rows: true class, columns: predicted, shaded by the share of the true class.</p>\n<table><tr><th>"
                + "true \\ predicted</th>");
        for (String name : names) {
            out.append("<th>").append(escape(name)).append("</th>");
        }
        out.append("</tr>\n");
        for (int t = 0; t < names.size(); t++) {
            out.append("<tr><th>").append(escape(names.get(t))).append("</th>");
            for (long v : confusion[t]) {
                out.append("<td>").append(v).append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    private static void misclassified(StringBuilder out, List<String> names, LabeledImages test,
                                      List<Integer> shownWrong, int[] predicted) {
        out.append("<h2>Misclassified</h2>\n<p><img src=\"misclassified.png\" alt=\"misclassified\"><br>The first ")
                .append(shownWrong.size()).append(", left to right, as true &rarr; predicted: ");
        List<String> captions = new ArrayList<>();
        for (int i : shownWrong) {
            captions.add(escape(names.get(test.labels()[i])) + " &rarr; " + escape(names.get(predicted[i])));
        }
        out.append(String.join("; ", captions)).append(".</p>\n");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
