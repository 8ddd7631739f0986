package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;
import dev.svertka.registry.ModelRegistry;

/**
 * The real {@code ./svertka} on the packaged application, started from another directory: a relative path
 * means what the user typed there. Runs after {@code package} (failsafe, in {@code verify}), when the jar is
 * newer than the sources, so the launcher does not rebuild.
 */
class LauncherIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();

    @TempDir
    Path caller;

    @Test
    void relativePathsAreTakenFromTheCallersDirectory() throws Exception {
        assertThat(staleSources()).as("sources newer than the packaged jar: run after package").isEmpty();
        ModelCard card = new ModelCard("pets", 0, List.of("cat", "dog"), new InputShape(1, 28, 28),
                ModelCard.LAYOUT_NCHW, InputShape.PIXEL_SCALE, null, "seed-cnn", "test data", Map.of(), Map.of(),
                "2026-11-30T00:00:00Z", null);
        new ModelRegistry(caller.resolve("models")).publish(card, "model".getBytes(StandardCharsets.UTF_8), null);

        LauncherRun run = LauncherRun.run(LauncherRun.SCRIPT, caller, Path.of(System.getProperty("java.home"), "bin"),
                "registry", "promote", "pets:1", "--registry", "models", "--no-announce");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).doesNotContain("Building");
        assertThat(run.stdout()).contains("Live: pets:1");
        assertThat(caller.resolve("models/pets/" + ModelRegistry.LIVE_FILE)).as("written where the caller is").exists();
    }

    private static List<Path> staleSources() throws IOException {
        FileTime built = Files.getLastModifiedTime(JAR);
        try (Stream<Path> sources = Stream.concat(Files.walk(Path.of("src")), Stream.of(Path.of("pom.xml")))) {
            return sources.filter(p -> newer(p, built)).toList();
        }
    }

    private static boolean newer(Path path, FileTime than) {
        try {
            return Files.getLastModifiedTime(path).compareTo(than) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
