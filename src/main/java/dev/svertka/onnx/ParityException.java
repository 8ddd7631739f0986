package dev.svertka.onnx;

/** An exported ONNX model does not reproduce its DL4J network, or could not be run to find out. */
public class ParityException extends Exception {

    public ParityException(String message) {
        super(message);
    }

    public ParityException(String message, Throwable cause) {
        super(message, cause);
    }
}
