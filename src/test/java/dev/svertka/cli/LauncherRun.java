package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of the {@code svertka} launcher script as a process, from a directory of the test's choosing. */
record LauncherRun(int exitCode, String stdout, String stderr) {

    /** The launcher of this checkout. */
    static final Path SCRIPT = Path.of("svertka").toAbsolutePath();

    /** Runs {@code script} in {@code directory}, with {@code bin} first on the PATH (where it finds java). */
    static LauncherRun run(Path script, Path directory, Path bin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("svertka-launcher-", ".out");
        Path err = Files.createTempFile("svertka-launcher-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().merge("PATH", bin.toString(), (path, first) -> first + File.pathSeparator + path);
        builder.environment().remove("JAVA_OPTS");
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(String.join(" ", command) + " ends").isTrue();
        try {
            return new LauncherRun(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }
}
