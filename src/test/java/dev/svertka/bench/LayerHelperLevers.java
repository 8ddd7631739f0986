package dev.svertka.bench;

import java.lang.reflect.Field;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** TrainBenchmark's oneDNN lever beside {@code BuiltInLayers}: one kind of helper taken off, the others kept. */
final class LayerHelperLevers {

    private LayerHelperLevers() {
    }

    /** Takes the helper off every layer of this kind, which then runs DL4J's own implementation. */
    static MultiLayerNetwork detach(MultiLayerNetwork network, Class<? extends Layer> kind) {
        for (Layer layer : network.getLayers()) {
            if (layer.getClass() == kind) {
                try {
                    Field helper = kind.getDeclaredField("helper");
                    helper.setAccessible(true);
                    helper.set(layer, null);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot detach the helper of " + kind.getName(), e);
                }
            }
        }
        return network;
    }
}
