package dev.svertka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.card.InputShape;
import dev.svertka.card.ModelCard;

class ModelRegistryTest {

    @TempDir
    Path root;

    private static ModelCard card(String name) {
        return new ModelCard(name, 0, List.of("cat", "dog"), new InputShape(1, 28, 28), ModelCard.LAYOUT_NCHW,
                InputShape.PIXEL_SCALE, null, "seed-cnn", "test data", Map.of("test_accuracy", 0.9), Map.of("epochs", "1"),
                "2026-11-30T00:00:00Z", null);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void versionsAreNumberedAndTheLatestIsResolvedByName() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        ModelVersion first = registry.publish(card("pets"), bytes("model one"), null);
        ModelVersion second = registry.publish(card("pets"), bytes("model two"),
                target -> Files.writeString(target, "checkpoint"));

        assertThat(first.card().version()).isEqualTo(1);
        assertThat(second.card().version()).isEqualTo(2);
        assertThat(registry.versions("pets")).containsExactly(1, 2);
        assertThat(registry.resolve("pets").directory()).isEqualTo(root.resolve("pets/2"));
        assertThat(registry.resolve("pets:1").onnxFile()).hasContent("model one");
        assertThat(second.checkpointFile()).hasContent("checkpoint");
        assertThat(registry.resolve("pets:2").card().sha256()).isEqualTo(ModelRegistry.sha256(bytes("model two")));
        assertThat(registry.names()).containsExactly("pets");
    }

    @Test
    void leavesNoStagingDirectoryBehind() throws Exception {
        new ModelRegistry(root).publish(card("pets"), bytes("m"), null);

        assertThat(versionsAndLeftovers("pets")).containsExactly("1");
    }

    /** The entries of a model's directory, its lock files aside. */
    private List<String> versionsAndLeftovers(String name) throws IOException {
        try (var entries = Files.list(root.resolve(name))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).sorted().toList();
        }
    }

    @Test
    void aFailedPublishSaysWhyAndLeavesNoStagingDirectoryBehind() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish(card("pets"), bytes("m"), null);

        assertThatThrownBy(() -> registry.publish(card("pets"), bytes("m"), target -> {
            Files.writeString(target, "half a checkpoint");
            throw new IOException("disk full");
        })).isInstanceOf(RegistryException.class).hasMessageContaining("Could not store model pets")
                .hasMessageContaining("disk full");
        assertThatThrownBy(() -> registry.publish(card("pets"), numbered -> {
            throw new IllegalStateException("export failed");
        }, target -> Files.writeString(target, "checkpoint"))).hasMessage("export failed");
        // a writer that ignores the lock takes the number between our look and our rename
        assertThatThrownBy(() -> registry.publish(card("pets"), numbered -> {
            Path taken = root.resolve("pets").resolve(String.valueOf(numbered.version()));
            Files.createDirectories(taken);
            Files.writeString(taken.resolve(ModelVersion.CARD_FILE), "{}");
            return bytes("m");
        }, null)).isInstanceOf(RegistryException.class).hasMessageContaining("Could not store model pets")
                .hasMessageContaining(root.resolve("pets").resolve("2").toString());

        assertThat(versionsAndLeftovers("pets")).containsExactly("1", "2");
    }

    @Test
    void concurrentPublishersOfOneNameEachGetTheirOwnVersion() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<ModelVersion>> publishes = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String content = "model " + i;
            // a separate registry object each, as separate processes would have
            publishes.add(pool.submit(() -> new ModelRegistry(root).publish(card("pets"), bytes(content),
                    target -> Files.writeString(target, content))));
        }
        List<Integer> numbers = new ArrayList<>();
        for (Future<ModelVersion> publish : publishes) {
            ModelVersion version = publish.get();
            numbers.add(version.card().version());
            assertThat(version.checkpointFile()).hasContent(new String(Files.readAllBytes(version.onnxFile()),
                    StandardCharsets.UTF_8));
        }
        pool.shutdown();

        assertThat(numbers).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 24).boxed().toList());
        assertThat(versionsAndLeftovers("pets")).hasSize(24).allMatch(n -> n.matches("[0-9]+"));
        assertThat(registry.versions("pets")).hasSize(24);
    }

    @Test
    void versionsAndTheLivePointerAreAsReadableAsTheUmaskAllows() throws Exception {
        // what this process's umask gives a new file and directory
        Set<PosixFilePermission> fileModes = Files.getPosixFilePermissions(Files.createFile(root.resolve("probe")));
        Set<PosixFilePermission> dirModes = Files.getPosixFilePermissions(Files.createDirectory(root.resolve("dir")));
        ModelRegistry registry = new ModelRegistry(root);
        ModelVersion version = registry.publish(card("pets"), bytes("m"), null);
        registry.promote("pets", 1);

        assertThat(Files.getPosixFilePermissions(version.directory())).containsAll(dirModes);
        assertThat(Files.getPosixFilePermissions(version.onnxFile())).containsAll(fileModes);
        assertThat(Files.getPosixFilePermissions(root.resolve("pets").resolve(ModelRegistry.LIVE_FILE)))
                .containsAll(fileModes);
    }

    @Test
    void unknownNamesAndVersionsAreClearErrors() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish(card("pets"), bytes("m"), null);

        assertThatThrownBy(() -> registry.resolve("birds")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("No model named 'birds'").hasMessageContaining("pets");
        assertThatThrownBy(() -> registry.resolve("pets:7")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("pets:7").hasMessageContaining("[1]");
        assertThatThrownBy(() -> registry.resolve("pets:latest")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("positive integer");
    }

    @Test
    void namesThatCouldEscapeTheRootAreRefused() {
        ModelRegistry registry = new ModelRegistry(root);

        for (String bad : List.of("../etc", "a/b", "", "UPPER", ".hidden")) {
            assertThatThrownBy(() -> registry.publish(card(bad), bytes("m"), null))
                    .as(bad).isInstanceOf(RegistryException.class).hasMessageContaining("Invalid model name");
        }
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void aDamagedModelFileIsDetectedWhenLoaded() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        ModelVersion version = registry.publish(card("pets"), bytes("the real model"), null);
        Files.writeString(version.onnxFile(), "tampered");

        assertThatThrownBy(() -> registry.resolve("pets:1")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("damaged");
    }

    @Test
    void promoteMovesTheLivePointerAndRollbackReturnsToThePreviousOne() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        for (int i = 1; i <= 3; i++) {
            registry.publish(card("pets"), bytes("model " + i), null);
        }
        assertThat(registry.live("pets")).isEmpty();
        assertThat(registry.resolve("pets").card().version()).as("latest while none is live").isEqualTo(3);

        registry.promote("pets", 1);
        registry.promote("pets", 3);
        registry.promote("pets", 3);
        assertThat(registry.live("pets")).get().satisfies(live -> {
            assertThat(live.version()).isEqualTo(3);
            assertThat(live.history()).containsExactly(1);
        });
        registry.promote("pets", 2);
        assertThat(registry.resolve("pets").card().version()).as("the live version, not the latest").isEqualTo(2);

        assertThat(registry.rollback("pets").card().version()).isEqualTo(3);
        assertThat(registry.rollback("pets").card().version()).isEqualTo(1);
        assertThat(registry.resolve("pets").card().version()).isEqualTo(1);
        assertThatThrownBy(() -> registry.rollback("pets")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("first live version");
        assertThat(versionsAndLeftovers("pets")).containsExactly("1", "2", "3", ModelRegistry.LIVE_FILE);
    }

    @Test
    void promotionRefusesUnknownAndDamagedVersionsAndKeepsTheLiveOne() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        registry.publish(card("pets"), bytes("good"), null);
        ModelVersion damaged = registry.publish(card("pets"), bytes("about to be damaged"), null);
        registry.promote("pets", 1);
        Files.writeString(damaged.onnxFile(), "tampered");

        assertThatThrownBy(() -> registry.promote("pets", 2)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("damaged");
        assertThatThrownBy(() -> registry.promote("pets", 9)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("pets:9");
        assertThatThrownBy(() -> registry.promote("../pets", 1)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("Invalid model name");
        assertThatThrownBy(() -> registry.rollback("birds")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("birds");
        assertThat(registry.live("pets")).get().extracting(LivePointer::version).isEqualTo(1);
    }

    @Test
    void concurrentPromotionsLoseNoHistory() throws Exception {
        ModelRegistry registry = new ModelRegistry(root);
        for (int i = 1; i <= 8; i++) {
            registry.publish(card("pets"), bytes("model " + i), null);
        }
        registry.promote("pets", 1);
        ExecutorService pool = Executors.newFixedThreadPool(7);
        List<Future<ModelVersion>> promotions = new ArrayList<>();
        for (int version = 2; version <= 8; version++) {
            int v = version;
            promotions.add(pool.submit(() -> registry.promote("pets", v)));
        }
        for (Future<ModelVersion> promotion : promotions) {
            promotion.get();
        }
        pool.shutdown();

        LivePointer live = registry.live("pets").orElseThrow();
        List<Integer> all = new ArrayList<>(live.history());
        all.add(live.version());
        assertThat(all).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
    }
}
