package dev.svertka.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A benchmark's result lines: printed as they come ("BENCH ..."), then written as a Markdown list. */
final class BenchReport {

    private final List<String> lines = new ArrayList<>();

    void line(String format, Object... args) {
        String line = String.format(format, args);
        lines.add("- " + line);
        System.out.println("BENCH " + line);
    }

    void machine() throws IOException {
        line("machine: %d cores, load average: %s", Runtime.getRuntime().availableProcessors(), load());
    }

    void write(Path out) throws IOException {
        Files.createDirectories(out.getParent());
        Files.write(out, lines);
        System.out.println("Results in " + out.toAbsolutePath());
    }

    static String load() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }
}
