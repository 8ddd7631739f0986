package dev.svertka.registry;

/** A model cannot be stored or found: unknown name or version, invalid name, damaged files. */
public class RegistryException extends Exception {

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
