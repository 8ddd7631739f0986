package dev.svertka.model;

import dev.svertka.card.InputShape;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** The presets Svertka knows, by name. */
public final class Presets {

    private static final Map<String, Preset> BY_NAME = new LinkedHashMap<>();

    static {
        register(new SeedCnn());
        register(new DeepCnn());
        register(new SeqCnn());
    }

    private Presets() {
    }

    private static void register(Preset preset) {
        BY_NAME.put(preset.name(), preset);
    }

    public static List<Preset> all() {
        return List.copyOf(BY_NAME.values());
    }

    public static Preset named(String name) {
        Preset preset = BY_NAME.get(name);
        if (preset == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; known presets: " + BY_NAME.keySet());
        }
        return preset;
    }

    /** Builds and initialises a network of the named preset. */
    public static MultiLayerNetwork build(String name, InputShape input, int classes, long seed) {
        MultiLayerNetwork network = new MultiLayerNetwork(named(name).configuration(input, classes, seed));
        network.init();
        return network;
    }
}
