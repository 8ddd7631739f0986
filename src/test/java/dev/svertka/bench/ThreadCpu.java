package dev.svertka.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time of a process's threads by thread kind (Linux {@code /proc/PID/task}: names as the kernel keeps them,
 * 15 characters, digits dropped so a pool counts as one), for telling where a window's CPU went without a profiler:
 * JIT compilers, GC, Kafka's network threads, the pipeline's own.
 */
final class ThreadCpu {

    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Map<String, Double> seconds;

    private ThreadCpu(Map<String, Double> seconds) {
        this.seconds = seconds;
    }

    static ThreadCpu of(Process process) throws IOException {
        Map<String, Double> seconds = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9]+", "N").strip();
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // after the name: state is field 3, utime 14 and stime 15 (proc(5)), here 0-based from state
                    double ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    seconds.merge(name, ticks / TICKS_PER_SECOND, Double::sum);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return new ThreadCpu(seconds);
    }

    /** CPU µs an image spent since {@code before}, by thread kind, the largest first (under 1 µs left out). */
    String perImageSince(ThreadCpu before, int images) {
        return seconds.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.seconds.getOrDefault(e.getKey(), 0.0))
                        * 1e6 / images))
                .filter(e -> e.getValue() >= 1)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format("%s %.0f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
