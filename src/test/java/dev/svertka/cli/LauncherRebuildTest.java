package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When {@code ./svertka} rebuilds: a copy of the script in a fake checkout (sources, a pom, a jar, and an
 * mvnw that records its calls and writes the jar) with a fake java first on the PATH, so that no real build
 * or JVM runs; the launcher is started from another directory, which java must run in.
 */
class LauncherRebuildTest {

    private static final Instant OLD = Instant.now().minus(Duration.ofMinutes(10));
    private static final Instant LATER = OLD.plus(Duration.ofMinutes(1));

    @TempDir
    Path temp;

    private Path checkout;
    private Path jar;
    private Path bin;
    private Path caller;

    @BeforeEach
    void fakeCheckout() throws IOException {
        checkout = temp.resolve("checkout");
        jar = checkout.resolve("target/quarkus-app/quarkus-run.jar");
        Files.createDirectories(checkout.resolve("src/main/java"));
        Files.copy(LauncherRun.SCRIPT, checkout.resolve("svertka"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Files.writeString(checkout.resolve("src/main/java/App.java"), "class App {}");
        executable(checkout.resolve("mvnw"), """
                echo "$PWD $*" >> mvnw.calls
                mkdir -p target/quarkus-app && touch target/quarkus-app/quarkus-run.jar
                """);
        bin = temp.resolve("bin");
        executable(bin.resolve("java"), "echo \"java in $PWD: $*\"\n");
        caller = Files.createDirectories(temp.resolve("caller"));
    }

    @Test
    void aJarNewerThanTheSourcesRunsAsItIsInTheCallersDirectory() throws Exception {
        build(LATER);
        age(checkout.resolve("src"), OLD);
        age(checkout.resolve("pom.xml"), OLD);

        LauncherRun run = launch();

        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("java in " + caller + ": -jar " + jar + " train --data images\n");
        assertThat(checkout.resolve("mvnw.calls")).doesNotExist();
    }

    @Test
    void aSourceOrThePomNewerThanTheJarRebuildsFirst() throws Exception {
        for (String changed : List.of("src/main/java/App.java", "pom.xml")) {
            build(OLD);
            age(checkout.resolve("src"), OLD);
            age(checkout.resolve("pom.xml"), OLD);
            age(checkout.resolve(changed), LATER);

            LauncherRun run = launch();

            assertThat(run.stderr()).as(changed).contains("Building Svertka (sources changed since the last build");
            assertThat(run.stdout()).as(changed).startsWith("java in " + caller + ": -jar " + jar);
        }
        assertThat(Files.readAllLines(checkout.resolve("mvnw.calls")))
                .containsExactly(checkout + " -q -B package -DskipTests", checkout + " -q -B package -DskipTests");
    }

    @Test
    void aMissingJarIsBuilt() throws Exception {
        LauncherRun run = launch();

        assertThat(run.stderr()).contains("Building Svertka (not built yet");
        assertThat(Files.readAllLines(checkout.resolve("mvnw.calls")))
                .containsExactly(checkout + " -q -B package -DskipTests");
        assertThat(run.stdout()).startsWith("java in " + caller + ": -jar " + jar);
    }

    private LauncherRun launch() throws IOException, InterruptedException {
        LauncherRun run = LauncherRun.run(checkout.resolve("svertka"), caller, bin, "train", "--data", "images");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        return run;
    }

    private void build(Instant when) throws IOException {
        Files.createDirectories(jar.getParent());
        Files.write(jar, new byte[0]);
        age(jar, when);
    }

    /** Sets the modification time of {@code path} and everything under it. */
    private static void age(Path path, Instant when) throws IOException {
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path each : tree.toList()) {
                Files.setLastModifiedTime(each, FileTime.from(when));
            }
        }
    }

    private static void executable(Path file, String script) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/usr/bin/env bash\n" + script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
