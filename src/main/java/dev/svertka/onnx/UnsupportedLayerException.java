package dev.svertka.onnx;

import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * A network cannot be exported because one of its layers (or that layer's configuration) has no ONNX
 * translation yet. Unchecked: it reports a configuration the caller chose, not a condition to recover from.
 */
public class UnsupportedLayerException extends IllegalArgumentException {

    private final int layerIndex;

    public UnsupportedLayerException(int layerIndex, Layer layer, String problem) {
        super("cannot export layer " + layerIndex + " '" + layer.getLayerName() + "' ("
                + layer.getClass().getSimpleName() + ") to ONNX: " + problem);
        this.layerIndex = layerIndex;
    }

    public int layerIndex() {
        return layerIndex;
    }
}
