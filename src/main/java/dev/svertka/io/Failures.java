package dev.svertka.io;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * One line that says what went wrong and why: an error's message followed by those of its causes that it does
 * not already repeat. Several libraries put the useful part only in a cause (Kafka's "Failed to construct kafka
 * producer" hides "No resolvable bootstrap urls"), and NIO's file errors carry nothing but the path.
 */
public final class Failures {

    private Failures() {
    }

    public static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(message(error));
        int depth = 0;
        for (Throwable cause = error.getCause(); cause != null && depth < 8; cause = cause.getCause(), depth++) {
            String line = message(cause);
            if (!text.toString().contains(line)) {
                text.append(": ").append(line);
            }
        }
        return text.toString();
    }

    /** The error's own message, with the kind of file error said in words where NIO gives only the path. */
    public static String message(Throwable error) {
        if (error instanceof FileSystemException file && file.getReason() == null) {
            String what = error instanceof AccessDeniedException ? "permission denied"
                    : error instanceof NoSuchFileException ? "no such file or directory"
                    : error instanceof FileAlreadyExistsException ? "already exists"
                    : error instanceof NotDirectoryException ? "not a directory"
                    : error.getClass().getSimpleName();
            return file.getOtherFile() == null ? what + ": " + file.getFile()
                    : what + ": " + file.getFile() + " -> " + file.getOtherFile();
        }
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }
}
