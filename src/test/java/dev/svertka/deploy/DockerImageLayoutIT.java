package dev.svertka.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Runs after {@code package} (failsafe, in {@code verify}): the paths the Dockerfile's images copy out of
 * target/inference-app and target/quarkus-app exist in what the build really produced, and nothing the
 * application needs is left behind. A unit test could not see the packaged applications: surefire runs before it.
 */
class DockerImageLayoutIT {

    private static final Path TARGET = AppConfig.ROOT.resolve("target");

    @Test
    void eachImageCopiesItsWholePackagedFastJar() throws IOException {
        Dockerfile docker = Dockerfile.read();
        for (String image : Dockerfile.IMAGES) {
            Path fastJar = TARGET.resolve(docker.appFolder(image));
            assertThat(fastJar).as("`package` writes the fast-jar of " + image + " before integration tests run")
                    .isDirectory();
            Set<String> copied = docker.fastJarEntries(image);
            for (String entry : copied) {
                Path path = fastJar.resolve(entry);
                assertThat(path).as(image + ": " + entry).exists();
                if (Files.isDirectory(path)) {
                    try (Stream<Path> files = Files.walk(path)) {
                        assertThat(files.filter(Files::isRegularFile).count()).as(entry + " holds files").isPositive();
                    }
                }
            }
            Set<String> produced = new TreeSet<>();
            try (Stream<Path> entries = Files.list(fastJar)) {
                entries.map(p -> p.getFileName().toString()).forEach(produced::add);
            }
            // the dependency list is a build report, not something the application reads
            produced.remove("quarkus-app-dependencies.txt");
            assertThat(copied).as("copied from " + fastJar).containsExactlyInAnyOrderElementsOf(produced);
        }
    }

    /**
     * The Dockerfile recognises a CUDA build by the backend jar's name in lib/main
     * ("org.nd4j.nd4j-cuda-..."): the packaged backend follows that naming.
     */
    @Test
    void theBackendJarIsNamedAsTheDockerfileExpects() throws IOException {
        assertThat(Files.readString(Dockerfile.PATH)).contains("lib/main | grep -q '^org\\.nd4j\\.nd4j-cuda-'");
        try (Stream<Path> jars = Files.list(TARGET.resolve(Dockerfile.read().appFolder("trainer")).resolve("lib/main"))) {
            assertThat(jars.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.matches("org\\.nd4j\\.nd4j-(native|cuda-[0-9.]+)-1\\..*\\.jar"));
        }
    }
}
