package dev.svertka.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks, made before any work starts, that a process can write where it is going to. */
public final class Directories {

    private Directories() {
    }

    /**
     * Creates {@code dir} if needed and proves it writable with a file made and removed in it; answers why not
     * (with the path and the cause), or null when it is. {@code what} names the directory's role in the answer.
     */
    public static String writeProblem(Path dir, String what) {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
            Files.delete(Files.createTempFile(absolute, ".write-check-", ".tmp"));
            return null;
        } catch (IOException | SecurityException e) {
            return what + " " + absolute + " is not writable (" + Failures.message(e) + ")";
        }
    }
}
