package dev.svertka.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.svertka.train.Trainer;

/** The report's HTML: the numbers, and captions for the pictures that {@link TrainingReport} writes beside it. */
final class ReportPage {

    private ReportPage() {
    }

    /** @param convolutional whether filters.png and activations.png were drawn */
    static String html(String title, ReportData data, boolean convolutional) {
        StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}img{image-rendering:pixelated;"
                        + "border:1px solid #ccc}</style></head><body>\n<h1>").append(escape(title)).append("</h1>\n");
        out.append(String.format(Locale.ROOT, "<p>Test accuracy <b>%.4f</b> (%d of %d images; %d misclassified).</p>%n",
                data.evaluation().accuracy(), data.correct(), data.test().size(), data.misclassified().size()));
        if (data.history().isEmpty()) {
            out.append("<p>Evaluation only: no training history.</p>\n");
        } else {
            training(out, data.history());
        }
        List<String> names = data.test().classNames();
        perClass(out, names, data.classScores());
        confusion(out, names, data.confusion());
        if (!data.misclassified().isEmpty()) {
            misclassified(out, names, data);
        }
        out.append("<h2>Why it works</h2>\n");
        if (convolutional) {
            out.append("<p><img src=\"filters.png\" alt=\"filters\"><br>First conv layer's filters (averaged over"
                    + " input channels; light = positive weights).</p>\n<p><img src=\"activations.png\" alt=\"activation"
                    + " maps\"><br>Activation maps of the first conv layers (one block per layer, at most 32 maps each) for"
                    + " the first test image.</p>\n");
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

    private static void perClass(StringBuilder out, List<String> names, List<ReportData.ClassScore> scores) {
        out.append("<h2>Per class</h2>\n<p><img src=\"per-class.png\" alt=\"per class\"><br>Bars per class:"
                + " precision (blue), recall (orange), F1 (green).</p>\n<table><tr><th>class</th><th>precision</th>"
                + "<th>recall</th><th>F1</th><th>support</th></tr>\n");
        for (int c = 0; c < names.size(); c++) {
            ReportData.ClassScore score = scores.get(c);
            out.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%d</td>"
                    + "</tr>%n", escape(names.get(c)), score.precision(), score.recall(), score.f1(), score.support()));
        }
        out.append("</table>\n");
    }

    private static void confusion(StringBuilder out, List<String> names, long[][] confusion) {
        out.append("<h2>Confusion matrix</h2>\n<p><img src=\"confusion.png\" alt=\"confusion matrix\"><br>"
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

    private static void misclassified(StringBuilder out, List<String> names, ReportData data) {
        List<Integer> shown = data.shownMisclassified();
        out.append("<h2>Misclassified</h2>\n<p><img src=\"misclassified.png\" alt=\"misclassified\"><br>The first ")
                .append(shown.size()).append(", left to right, as true &rarr; predicted: ");
        List<String> captions = new ArrayList<>();
        for (int i : shown) {
            captions.add(escape(names.get(data.test().labels()[i])) + " &rarr; " + escape(names.get(data.predicted(i))));
        }
        out.append(String.join("; ", captions)).append(".</p>\n");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
