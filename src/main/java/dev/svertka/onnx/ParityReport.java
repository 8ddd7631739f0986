package dev.svertka.onnx;

/**
 * How closely an ONNX model's class probabilities match its DL4J network's on the same images.
 *
 * @param maxAbsDiff largest absolute difference over all samples and classes (NaN if either side produced NaN)
 * @param argmaxMismatches samples whose predicted class differs
 */
public record ParityReport(int samples, double maxAbsDiff, int argmaxMismatches) {

    /** False for NaN differences too, since NaN fails every comparison. */
    public boolean passes(double tolerance) {
        return maxAbsDiff <= tolerance && argmaxMismatches == 0;
    }
}
