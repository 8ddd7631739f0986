package dev.svertka.onnx;

/**
 * A network cannot be exported because one of its layers (or that layer's configuration) has no ONNX
 * translation yet. Unchecked: it reports a configuration the caller chose, not a condition to recover from.
 */
public class UnsupportedLayerException extends IllegalArgumentException {

    private final int layerIndex;
    private final String layerName;

    UnsupportedLayerException(LayerTranslator.Site site, String layerType, String problem) {
        super("cannot export " + site + " (" + layerType + ") to ONNX: " + problem);
        this.layerIndex = site.index();
        this.layerName = site.name();
    }

    /** The layer's index in a MultiLayerNetwork; -1 for a vertex of a ComputationGraph. */
    public int layerIndex() {
        return layerIndex;
    }

    /** The layer's (or vertex's) name. */
    public String layerName() {
        return layerName;
    }
}
