package dev.svertka.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.svertka.card.ModelCard;
import dev.svertka.io.Failures;

/**
 * Versioned models on a filesystem (a local directory or a shared volume):
 * {@code <root>/<name>/<version>/model.onnx}, {@code card.json} and the training checkpoint.
 * A version appears whole or not at all: it is written to a hidden temporary directory and renamed; a
 * publish that fails deletes that directory.
 */
public final class ModelRegistry {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** The live pointer of a model, beside its version directories. */
    public static final String LIVE_FILE = "live.json";
    private static final String VERSIONS_LOCK = ".versions.lock";
    private static final String LIVE_LOCK = ".live.lock";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes an extra file (such as a DL4J checkpoint) into a version's directory before it is published. */
    @FunctionalInterface
    public interface FileWriter {
        void write(Path target) throws IOException;
    }

    /**
     * Produces the ONNX bytes for the card once it has its version number, so that the model file itself can
     * say which version it is.
     */
    @FunctionalInterface
    public interface VersionedModel {
        byte[] bytesFor(ModelCard numbered) throws IOException;
    }

    private final Path root;

    public ModelRegistry(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * Stores {@code onnxModel} as the next version of {@code card.name()}; the card's version and
     * sha256 are filled in here.
     */
    public ModelVersion publish(ModelCard card, byte[] onnxModel, FileWriter checkpoint) throws RegistryException {
        return publish(card, numbered -> onnxModel, checkpoint);
    }

    /**
     * Stores the next version of {@code card.name()}, its ONNX bytes made by {@code model} for the numbered card
     * (so that metadata inside the file can carry the version); the card's version and sha256 are filled in here.
     */
    public ModelVersion publish(ModelCard card, VersionedModel model, FileWriter checkpoint) throws RegistryException {
        Path modelDir = root.resolve(validName(card.name()));
        try {
            Files.createDirectories(modelDir);
            try (Staging staging = new Staging(modelDir)) {
                if (checkpoint != null) {
                    checkpoint.write(staging.dir.resolve(ModelVersion.CHECKPOINT_FILE));
                }
                // numbers are taken under the model's lock: concurrent publishers (threads or processes) each get
                // their own, and a version directory appears whole
                return locked(modelDir, VERSIONS_LOCK, () -> {
                    int version = latestVersion(card.name()) + 1;
                    byte[] onnxModel = model.bytesFor(card.withVersion(version, null));
                    Files.write(staging.dir.resolve(ModelVersion.ONNX_FILE), onnxModel);
                    ModelCard stored = card.withVersion(version, sha256(onnxModel));
                    JSON.writeValue(staging.dir.resolve(ModelVersion.CARD_FILE).toFile(), stored);
                    Path target = modelDir.resolve(String.valueOf(version));
                    try {
                        Files.move(staging.dir, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        throw new RegistryException("Registry " + root + " is on a filesystem without atomic rename", e);
                    }
                    return new ModelVersion(stored, target);
                });
            }
        } catch (IOException e) {
            throw new RegistryException("Could not store model " + card.name() + " in " + root.toAbsolutePath()
                    + ": " + Failures.message(e), e);
        }
    }

    /** Work done while holding one of a model's lock files. */
    @FunctionalInterface
    private interface Locked<T> {
        T run() throws IOException, RegistryException;
    }

    /**
     * Runs {@code work} holding the lock file {@code name} in {@code modelDir}: it keeps other processes out;
     * threads of this one, which a file lock cannot, wait on the class.
     */
    private static <T> T locked(Path modelDir, String name, Locked<T> work) throws IOException, RegistryException {
        synchronized (ModelRegistry.class) {
            try (FileChannel lockFile = FileChannel.open(modelDir.resolve(name), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                return work.run();
            }
        }
    }

    /**
     * The hidden directory a version is written into before it is renamed into place. Closing it deletes
     * whatever is still there, so that a publish that fails in any way (or throws) leaves nothing behind; after
     * the rename there is nothing left to delete.
     */
    private static final class Staging implements AutoCloseable {

        final Path dir;

        Staging(Path modelDir) throws IOException {
            // not createTempDirectory, whose 0700 would shut out readers the umask lets in
            dir = Files.createDirectory(modelDir.resolve(".staging-" + UUID.randomUUID()));
        }

        @Override
        public void close() throws IOException {
            if (!Files.exists(dir)) {
                return;
            }
            List<Path> contents;
            try (Stream<Path> walk = Files.walk(dir)) {
                contents = walk.sorted(Comparator.reverseOrder()).toList();
            }
            for (Path path : contents) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Resolves {@code name} (its live version if one was promoted, else the latest) or {@code name:version},
     * and checks the ONNX file against the sha256 its card recorded.
     */
    public ModelVersion resolve(String reference) throws RegistryException {
        int colon = reference.lastIndexOf(':');
        String name = validName(colon < 0 ? reference : reference.substring(0, colon));
        int version;
        if (colon < 0) {
            version = live(name).map(LivePointer::version).orElse(latestVersion(name));
            if (version == 0) {
                throw new RegistryException("No model named '" + name + "' in registry " + root
                        + " (known: " + names() + ")");
            }
        } else {
            version = parseVersion(reference.substring(colon + 1), reference);
        }
        Path dir = root.resolve(name).resolve(String.valueOf(version));
        if (!Files.isDirectory(dir)) {
            throw new RegistryException("Unknown model version " + name + ":" + version + " in registry " + root
                    + " (versions: " + versions(name) + ")");
        }
        return verified(dir);
    }

    /** The version promoted to serve {@code name}, and the earlier live versions, if any was promoted. */
    public Optional<LivePointer> live(String name) throws RegistryException {
        Path pointer = root.resolve(validName(name)).resolve(LIVE_FILE);
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(pointer.toFile(), LivePointer.class));
        } catch (IOException e) {
            throw new RegistryException("Cannot read the live pointer " + pointer + ": " + Failures.message(e), e);
        }
    }

    /**
     * Makes {@code name:version} the live version (checked first: it must exist and match its sha256); the
     * version live until now is remembered for {@link #rollback}. Promoting the live version again changes nothing.
     */
    public ModelVersion promote(String name, int version) throws RegistryException {
        ModelVersion target = resolve(validName(name) + ":" + version);
        updateLive(name, current -> {
            if (current.isEmpty()) {
                return new LivePointer(version, List.of(), Instant.now().toString());
            }
            if (current.get().version() == version) {
                return current.get();
            }
            return current.get().promoting(version, Instant.now().toString());
        });
        return target;
    }

    /** Makes the version that was live before the current one live again, and returns it. */
    public ModelVersion rollback(String name) throws RegistryException {
        LivePointer[] result = new LivePointer[1];
        updateLive(name, current -> {
            LivePointer pointer = current.orElseThrow(() -> new RegistryException(
                    "Cannot roll back " + name + ": no version was ever promoted"));
            if (pointer.history().isEmpty()) {
                throw new RegistryException("Cannot roll back " + name + ": version " + pointer.version()
                        + " is the first live version, there is none before it");
            }
            LivePointer previous = pointer.rolledBack(Instant.now().toString());
            // the version must still be servable before the pointer moves to it
            resolve(name + ":" + previous.version());
            result[0] = previous;
            return previous;
        });
        return resolve(name + ":" + result[0].version());
    }

    @FunctionalInterface
    private interface LiveUpdate {
        LivePointer apply(Optional<LivePointer> current) throws RegistryException;
    }

    /**
     * Read-modify-write of the live pointer under a file lock (two promotions at once must not lose a
     * history entry), written to a temporary file and renamed over the old one, so readers see either.
     */
    private void updateLive(String name, LiveUpdate update) throws RegistryException {
        Path modelDir = root.resolve(validName(name));
        if (!Files.isDirectory(modelDir)) {
            throw new RegistryException("No model named '" + name + "' in registry " + root);
        }
        Path pointer = modelDir.resolve(LIVE_FILE);
        try {
            locked(modelDir, LIVE_LOCK, () -> {
                LivePointer next = update.apply(live(name));
                // a fresh name rather than createTempFile, whose 0600 would shut out readers the umask lets in
                Path temporary = modelDir.resolve(".live-" + UUID.randomUUID() + ".tmp");
                try {
                    JSON.writeValue(temporary.toFile(), next);
                    Files.move(temporary, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temporary);
                }
                return next;
            });
        } catch (IOException e) {
            throw new RegistryException("Cannot write the live pointer " + pointer.toAbsolutePath() + ": "
                    + Failures.message(e), e);
        }
    }

    /**
     * Brings in an ONNX image classifier made elsewhere (PyTorch, Keras...) as the next version of the card's
     * model, once ONNX Runtime has opened it and run it on the card's input shape with the card's labels.
     */
    public ModelVersion importModel(Path onnxFile, ModelCard card) throws RegistryException {
        validName(card.name());
        byte[] model;
        try {
            model = Files.readAllBytes(onnxFile);
        } catch (IOException e) {
            throw new RegistryException("Cannot read ONNX file " + onnxFile + ": " + Failures.message(e), e);
        }
        ImportCheck.verify(model, card, onnxFile.toString());
        return publish(card, model, null);
    }

    /** Version numbers stored for {@code name}, ascending. */
    public List<Integer> versions(String name) throws RegistryException {
        Path modelDir = root.resolve(validName(name));
        List<Integer> versions = new ArrayList<>();
        if (!Files.isDirectory(modelDir)) {
            return versions;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(modelDir)) {
            for (Path entry : entries) {
                String file = entry.getFileName().toString();
                if (file.matches("[1-9][0-9]{0,8}") && Files.isDirectory(entry)) {
                    versions.add(Integer.parseInt(file));
                }
            }
        } catch (IOException e) {
            throw new RegistryException("Cannot list " + modelDir + ": " + Failures.message(e), e);
        }
        versions.sort(null);
        return versions;
    }

    /** Names of the models stored, sorted. */
    public List<String> names() throws RegistryException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, Files::isDirectory)) {
            entries.forEach(e -> names.add(e.getFileName().toString()));
        } catch (IOException e) {
            throw new RegistryException("Cannot list registry " + root + ": " + Failures.message(e), e);
        }
        names.removeIf(n -> !NAME.matcher(n).matches());
        names.sort(null);
        return names;
    }

    private int latestVersion(String name) throws RegistryException {
        List<Integer> versions = versions(name);
        return versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
    }

    private static ModelVersion verified(Path dir) throws RegistryException {
        try {
            ModelCard card = JSON.readValue(dir.resolve(ModelVersion.CARD_FILE).toFile(), ModelCard.class);
            ModelVersion version = new ModelVersion(card, dir);
            String actual = sha256(Files.readAllBytes(version.onnxFile()));
            if (!actual.equals(card.sha256())) {
                throw new RegistryException("Model file " + version.onnxFile() + " is damaged: sha256 " + actual
                        + " differs from the card's " + card.sha256());
            }
            return version;
        } catch (IOException e) {
            throw new RegistryException("Cannot read model in " + dir + ": " + Failures.message(e), e);
        }
    }

    static String validName(String name) throws RegistryException {
        String problem = nameProblem(name);
        if (problem != null) {
            throw new RegistryException(problem);
        }
        return name;
    }

    /**
     * Why {@code name} cannot name a model (it becomes a directory name, so nothing that could climb out of the
     * registry), or null when it can. The name is quoted printable and short: it may be anything a client sent.
     */
    public static String nameProblem(String name) {
        if (name != null && NAME.matcher(name).matches()) {
            return null;
        }
        return "Invalid model name " + (name == null ? "(none)" : quoted(name))
                + ": use 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit";
    }

    /** {@code text} in quotes with control characters escaped and at most 64 characters shown. */
    static String quoted(String text) {
        StringBuilder quoted = new StringBuilder("'");
        text.codePoints().limit(64).forEach(c -> {
            if (Character.isISOControl(c)) {
                quoted.append(String.format("\\u%04x", c));
            } else {
                quoted.appendCodePoint(c);
            }
        });
        quoted.append(text.codePointCount(0, text.length()) > 64 ? "'..." : "'");
        return quoted.toString();
    }

    private static int parseVersion(String text, String reference) throws RegistryException {
        try {
            int version = Integer.parseInt(text);
            if (version > 0) {
                return version;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new RegistryException("Invalid model reference '" + reference + "': the version must be a positive integer");
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
