package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.data.IdxDataset;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

/**
 * Commands given what cannot work: each says what is wrong in one line and exits 1, before it trains or sends
 * anything, and never reports a success that did not happen.
 */
@QuarkusMainTest
class CommandRefusalsTest {

    @TempDir
    Path work;

    @Test
    void sendToAnUnreachableBrokerFailsWithinItsTimeoutAndCountsWhatWasLost(QuarkusMainLauncher launcher) {
        long started = System.nanoTime();
        LaunchResult result = launcher.launch("send", "--bootstrap-servers", "127.0.0.1:1", "--data", "synthetic",
                "--count", "1000", "--timeout", "2");

        assertThat(result.exitCode()).as(result.getOutput()).isEqualTo(1);
        assertThat(result.getOutput()).doesNotContain("Sent ");
        assertThat(result.getErrorOutput()).contains("1000 of 1000 images were not delivered to images on 127.0.0.1:1");
        // one image's timeout, not one per image
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(30);
    }

    @Test
    void sendToAnUnresolvableHostSaysSo(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("send", "--bootstrap-servers", "no-such-host.invalid:9092",
                "--count", "1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.getErrorOutput()).contains("no-such-host.invalid:9092", "No resolvable bootstrap urls");
    }

    @Test
    void aModelNameThatIsAPathIsRefusedBeforeAnythingIsWritten(QuarkusMainLauncher launcher) throws Exception {
        Path cwd = Files.createDirectories(work.resolve("a/b"));
        LaunchResult result = launcher.launch("train", "--model", "../../escaped", "--data", "synthetic:100",
                "--registry", cwd.resolve("registry").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.getErrorOutput()).contains("Invalid model name '../../escaped'");
        assertThat(Path.of("runs", "..", "..", "escaped")).doesNotExist();
        assertThat(cwd.resolve("registry")).doesNotExist();
    }

    @Test
    void everyProblemOfAJobIsListedAtOnce(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("train", "--preset", "vgg-9000", "--epochs", "0", "--batch-size", "-1",
                "--patience", "-2", "--data", "synthetic:100");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.getErrorOutput()).contains("unknown preset 'vgg-9000'", "epochs must be at least 1, got 0",
                "batchSize must be at least 1, got -1", "patience and unfreezeAfter must be 0 or more");
    }

    @Test
    void anUnwritableRegistryOrRunDirectoryIsRefusedBeforeTraining(QuarkusMainLauncher launcher) throws Exception {
        // under a regular file: not writable even for root, as CI runs
        Path file = Files.writeString(work.resolve("a-file"), "not a directory");
        LaunchResult result = launcher.launch("train", "--data", "synthetic:100", "--registry",
                file.resolve("registry").toString(), "--run-dir", file.resolve("run").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.getErrorOutput()).contains("registry " + file.resolve("registry") + " is not writable",
                "run directory " + file.resolve("run") + " is not writable");
        assertThat(result.getOutput()).doesNotContain("Loading data");
    }

    @Test
    void aTrainingSetOfNoImagesStoresNothing(QuarkusMainLauncher launcher) throws Exception {
        Path data = Files.createDirectories(work.resolve("empty-idx"));
        Files.write(data.resolve(IdxDataset.TRAIN_IMAGES), idx(IdxDataset.IMAGES_MAGIC, 0, 28, 28));
        Files.write(data.resolve(IdxDataset.TRAIN_LABELS), idx(IdxDataset.LABELS_MAGIC, 0));
        byte[] test = idx(IdxDataset.IMAGES_MAGIC, 2, 28, 28);
        Files.write(data.resolve(IdxDataset.TEST_IMAGES), ByteBuffer.allocate(test.length + 2 * 28 * 28).put(test)
                .array());
        Files.write(data.resolve(IdxDataset.TEST_LABELS), ByteBuffer.allocate(10).put(idx(IdxDataset.LABELS_MAGIC, 2))
                .put((byte) 1).put((byte) 2).array());

        LaunchResult result = launcher.launch("train", "--data", data.toString(), "--registry",
                work.resolve("registry").toString(), "--run-dir", work.resolve("run").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.getErrorOutput()).contains("no training images in " + data);
        assertThat(work.resolve("registry")).isEmptyDirectory();
    }

    @Test
    void aFolderOfUnreadableImagesSaysTheTrainingImagesAreMissing(QuarkusMainLauncher launcher) throws Exception {
        for (String label : new String[] {"cat", "dog"}) {
            Files.writeString(Files.createDirectories(work.resolve("photos").resolve(label)).resolve("1.png"), "junk");
        }
        LaunchResult result = launcher.launch("train", "--data", work.resolve("photos").toString(), "--registry",
                work.resolve("registry").toString(), "--run-dir", work.resolve("run").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.getErrorOutput()).contains("no training images in", "2 unreadable files skipped");
    }

    @Test
    void listingARegistryThatIsNotThereIsAnError(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("registry", "list", "--registry", work.resolve("nonexistent").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.getErrorOutput()).contains("No registry at " + work.resolve("nonexistent"));
    }

    /** An IDX header: magic, then dimensions. */
    private static byte[] idx(int magic, int... dimensions) {
        ByteBuffer header = ByteBuffer.allocate(4 + 4 * dimensions.length).putInt(magic);
        for (int dimension : dimensions) {
            header.putInt(dimension);
        }
        return header.array();
    }
}
