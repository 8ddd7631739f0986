package dev.svertka.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.svertka.data.Datasets;
import dev.svertka.data.LabeledTopic;
import dev.svertka.io.Directories;

/**
 * What a valid {@link JobSpec} needs from the place it runs in, checked before anything is queued or loaded: the
 * directories it writes (run directory, registry) writable, the files and folders it reads there. A job that would
 * only fail at export, after hours of training, fails here.
 */
public final class JobCheck {

    private JobCheck() {
    }

    /** Every problem the job would meet here; empty when none. {@code registry}: where its model would be stored. */
    public static List<String> problems(JobSpec spec, Path registry) {
        List<String> problems = new ArrayList<>();
        add(problems, Directories.writeProblem(spec.runDirectory(), "run directory"));
        add(problems, Directories.writeProblem(registry, "registry"));
        add(problems, missing("data", spec.data()));
        add(problems, missing("testData", spec.testData()));
        add(problems, spec.resume() == null ? null : missingFile("resume", Path.of(spec.resume())));
        if (spec.base() != null && (spec.base().endsWith(".zip") || BaseModels.isKeras(spec.base()))) {
            add(problems, missingFile("base", Path.of(spec.base())));
        }
        return problems;
    }

    /** Throws the job's problems here, all of them, as one {@link JobSpec.InvalidJobException}. */
    public static void verify(JobSpec spec, Path registry) {
        List<String> problems = problems(spec, registry);
        if (!problems.isEmpty()) {
            throw new JobSpec.InvalidJobException(problems);
        }
    }

    private static String missing(String field, String data) {
        if (data == null || data.startsWith(Datasets.SYNTHETIC) || LabeledTopic.Source.matches(data)) {
            return null;
        }
        Path dir = Path.of(data);
        return Files.isDirectory(dir) ? null : field + ": no directory " + dir.toAbsolutePath().normalize();
    }

    private static String missingFile(String field, Path file) {
        return Files.isRegularFile(file) ? null : field + ": no file " + file.toAbsolutePath().normalize();
    }

    private static void add(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }
}
