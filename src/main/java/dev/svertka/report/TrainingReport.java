package dev.svertka.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.deeplearning4j.nn.graph.ComputationGraph;

import dev.svertka.data.LabeledImages;
import dev.svertka.train.Evaluation;
import dev.svertka.train.Trainer;

/**
 * An HTML page with PNG pictures of a trained network: training/validation curves, confusion matrix,
 * per-class precision/recall/F1, misclassified test images, and why it works: the first layer's
 * filters, each conv layer's activation maps for one test image, and saliency maps. The numbers come from
 * {@link ReportData}, the network's view from {@link Explainability}, the pictures from {@link Charts} and the
 * page from {@link ReportPage}.
 */
public final class TrainingReport {

    public static final String PAGE = "report.html";
    static final int SALIENCY_SHOWN = 6;

    private TrainingReport() {
    }

    /**
     * Writes the page and its pictures into {@code dir}; returns the page.
     *
     * @param evaluation {@code network}'s evaluation on {@code test}, whose predictions the report reuses
     */
    public static Path write(Path dir, String title, ComputationGraph network, List<Trainer.EpochMetrics> history,
                             LabeledImages test, Evaluation evaluation) throws IOException {
        ReportData data = ReportData.of(history, test, evaluation);
        Explainability explain = new Explainability(network);
        Files.createDirectories(dir);
        if (!history.isEmpty()) {
            png(dir, "curves.png", Charts.curves(history));
        }
        png(dir, "confusion.png", Charts.confusion(data.confusion()));
        png(dir, "per-class.png", Charts.classScores(data.classScores()));
        if (!data.misclassified().isEmpty()) {
            png(dir, "misclassified.png", Charts.tiles(test, data.shownMisclassified()));
        }
        if (explain.convolutional()) {
            png(dir, "filters.png", Charts.filters(explain.filters()));
            png(dir, "activations.png", Charts.activations(explain.activations(test), test.shape().height()));
        }
        LabeledImages shown = test.slice(0, Math.min(SALIENCY_SHOWN, test.size()));
        png(dir, "saliency.png", Charts.saliency(shown, explain.saliency(shown, evaluation.predicted())));
        Path page = dir.resolve(PAGE);
        Files.writeString(page, ReportPage.html(title, data, explain.convolutional()), StandardCharsets.UTF_8);
        return page;
    }

    private static void png(Path dir, String name, BufferedImage image) throws IOException {
        if (!ImageIO.write(image, "png", dir.resolve(name).toFile())) {
            throw new IOException("no PNG writer for " + dir.resolve(name));
        }
    }
}
