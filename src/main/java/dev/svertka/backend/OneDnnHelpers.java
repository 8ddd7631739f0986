package dev.svertka.backend;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's oneDNN layer helpers: convolution, pooling and batch normalisation run as oneDNN primitives instead of
 * DL4J's im2col + GEMM path (2.6x faster training, BENCHMARKS.md issue 12). DL4J 1.0.0-M2.1 needs three things
 * for that: ND4J natives built with oneDNN (the pom's default classifier), the name shim
 * {@link org.nd4j.nativeblas.Nd4jCpu}, and {@value #DISABLE_PROPERTY}{@code =false} when a layer is built (DL4J's
 * default is true). DL4J falls back to the built-in path silently when any of them is missing, or when a oneDNN
 * call fails; this class switches them on and says what actually happened.
 */
public final class OneDnnHelpers {

    /** DL4J creates no layer helper unless this system property is {@code false}; it defaults to {@code true}. */
    public static final String DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
    private static final String ND4J_CPU_ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";
    /** The layer kinds M2.1 has oneDNN helpers for; a subclass (e.g. a 1-D convolution) runs on its own path. */
    private static final Map<Class<? extends Layer>, String> KINDS = Map.of(
            ConvolutionLayer.class, "convolution",
            SubsamplingLayer.class, "subsampling",
            BatchNormalization.class, "batch normalization");

    private static volatile Boolean inNatives;

    private OneDnnHelpers() {
    }

    /** Asks DL4J for helpers in the networks built from now on; a value already set (-D...) wins. */
    public static void enable() {
        if (System.getProperty(DISABLE_PROPERTY) == null) {
            System.setProperty(DISABLE_PROPERTY, "false");
        }
    }

    /** Whether networks built now get helpers, as far as DL4J's own switch goes. */
    public static boolean requested() {
        return !Boolean.parseBoolean(System.getProperty(DISABLE_PROPERTY, "true"));
    }

    /** Whether the loaded ND4J natives are a oneDNN build (the -onednn classifiers); false on other backends. */
    public static boolean inNatives() {
        Boolean known = inNatives;
        if (known == null) {
            known = askNd4j();
            inNatives = known;
        }
        return known;
    }

    private static boolean askNd4j() {
        try {
            Class<?> environment = Class.forName(ND4J_CPU_ENVIRONMENT, true, OneDnnHelpers.class.getClassLoader());
            Object instance = environment.getMethod("getInstance").invoke(null);
            return (Boolean) environment.getMethod("isUseONEDNN").invoke(instance);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false; // not ND4J's CPU backend (CUDA), or natives without the flag
        }
    }

    /**
     * Keeps oneDNN away from what DL4J 1.0.0-M2.1's oneDNN build gets wrong, measured here: a dilated convolution
     * fails in it ("could not create a descriptor for a dilated convolution": 1-D and depthwise ones fail the whole
     * pass, 2-D ones fall back), and a channels-last (NHWC) convolution of a strided view computes wrong numbers
     * without any error. For a network with such layers, libnd4j's platform helpers (oneDNN inside its ops, and with
     * it every DL4J helper) are switched off while it runs; for any other network they are on. ND4J's switch is
     * process-wide, so call this before running a network (the trainer and the parity check do).
     *
     * @return why oneDNN is off for this network, or empty when it is on
     */
    public static Optional<String> guard(Layer... layers) {
        Optional<String> reason = Stream.of(layers).map(layer -> unwrap(layer).conf().getLayer())
                .map(OneDnnHelpers::unsupported).flatMap(Optional::stream).findFirst();
        Nd4j.getEnvironment().allowHelpers(reason.isEmpty());
        return reason;
    }

    private static Optional<String> unsupported(org.deeplearning4j.nn.conf.layers.Layer layer) {
        String name = layer.getLayerName();
        if (layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer conv) {
            if (IntStream.of(conv.getDilation()).anyMatch(d -> d > 1)) {
                return Optional.of("layer " + name + " is a dilated convolution");
            }
            if (conv.getCnn2dDataFormat() == CNN2DFormat.NHWC) {
                return Optional.of("layer " + name + " is a channels-last (NHWC) convolution");
            }
        }
        return Optional.empty();
    }

    /** Which of a network's layers have a helper attached, by layer kind. */
    public static Survey survey(Layer... layers) {
        Map<String, int[]> byKind = new LinkedHashMap<>();
        List<String> without = new ArrayList<>();
        for (Layer wrapped : layers) {
            Layer layer = unwrap(wrapped);
            String kind = KINDS.get(layer.getClass());
            if (kind == null) {
                continue;
            }
            int[] counts = byKind.computeIfAbsent(kind, k -> new int[2]);
            counts[1]++;
            LayerHelper helper = layer.getHelper();
            if (helper != null) {
                counts[0]++;
            } else {
                without.add(layer.conf().getLayer().getLayerName());
            }
        }
        return new Survey(byKind, without);
    }

    /**
     * Layers that have dropped their helper after a failed oneDNN call (DL4J logs "MKL-DNN execution failed -
     * falling back on built-in implementation" once and counts it in the layer's {@code helperCountFail}).
     */
    public static List<String> fallbacks(Layer... layers) {
        List<String> fellBack = new ArrayList<>();
        for (Layer wrapped : layers) {
            Layer layer = unwrap(wrapped);
            if (layer.getHelper() != null && failures(layer) > 0) {
                fellBack.add(layer.conf().getLayer().getLayerName());
            }
        }
        return fellBack;
    }

    /** A frozen layer holds the real one, which owns the helper. */
    private static Layer unwrap(Layer layer) {
        while (layer instanceof BaseWrapperLayer wrapper) {
            layer = wrapper.getUnderlying();
        }
        return layer;
    }

    private static int failures(Layer layer) {
        for (Class<?> type = layer.getClass(); type != Object.class; type = type.getSuperclass()) {
            try {
                Field field = type.getDeclaredField("helperCountFail");
                field.setAccessible(true);
                return field.getInt(layer);
            } catch (NoSuchFieldException e) {
                // declared further up, or not a layer kind with helpers
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read " + type.getName() + ".helperCountFail", e);
            }
        }
        return 0;
    }

    /**
     * @param byKind  layer kind to {attached, total}
     * @param without names of the layers of those kinds that have no helper
     */
    public record Survey(Map<String, int[]> byKind, List<String> without) {

        public int attached() {
            return byKind.values().stream().mapToInt(c -> c[0]).sum();
        }

        /** e.g. {@code convolution 2/2, subsampling 1/1}; "no layer of those kinds" for a dense-only network. */
        public String describe() {
            if (byKind.isEmpty()) {
                return "no convolution, subsampling or batch normalization layer";
            }
            StringJoiner line = new StringJoiner(", ");
            byKind.forEach((kind, counts) -> line.add(kind + " " + counts[0] + "/" + counts[1]));
            return line.toString();
        }
    }
}
