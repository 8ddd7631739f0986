package dev.svertka.train.event;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A Keras-like progress bar for one epoch. On a terminal it redraws one line; in logs (no
 * console) it prints a line every tenth of the way, so CI output stays readable.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 250_000_000L;

    private final PrintStream out;
    private final String title;
    private final long total;
    private final boolean interactive;
    private final long started = System.nanoTime();
    private long lastDrawn;
    private int lastTenth = -1;

    public ProgressBar(PrintStream out, String title, long total, boolean interactive) {
        this.out = out;
        this.title = title;
        this.total = Math.max(1, total);
        this.interactive = interactive;
    }

    /** A bar on standard error, redrawn in place when a person is watching. */
    public static ProgressBar onStderr(String title, long total) {
        return new ProgressBar(System.err, title, total, System.console() != null);
    }

    public void update(long done, String status) {
        long now = System.nanoTime();
        if (interactive) {
            if (now - lastDrawn >= REDRAW_NANOS || done >= total) {
                lastDrawn = now;
                out.print("\r" + line(done, now, status));
                out.flush();
            }
        } else {
            int tenth = (int) (done * 10 / total);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                out.println(line(done, now, status));
            }
        }
    }

    /** Clears the redrawn line so the next printed line starts clean. */
    public void finish() {
        if (interactive) {
            out.print("\r" + " ".repeat(WIDTH + title.length() + 70) + "\r");
            out.flush();
        }
    }

    String line(long done, long now, String status) {
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + ".".repeat(WIDTH - filled - 1) : "");
        double elapsed = (now - started) / 1e9;
        long etaSeconds = done == 0 ? 0 : Math.round(elapsed * (total - done) / done);
        return String.format("%s %d/%d [%s] %s ETA %s %s", title, done, total, bar,
                format(Duration.ofMillis(Math.round(elapsed * 1000))), format(Duration.ofSeconds(etaSeconds)), status);
    }

    private static String format(Duration d) {
        return String.format("%d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}
