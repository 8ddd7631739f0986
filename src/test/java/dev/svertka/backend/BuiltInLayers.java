package dev.svertka.backend;

import java.util.function.Supplier;

/** For comparisons with the oneDNN default: builds networks on DL4J's own layers, no layer helper attached. */
public final class BuiltInLayers {

    private BuiltInLayers() {
    }

    /** Runs {@code build} with DL4J's layer helpers switched off (DL4J reads the property as each layer is created). */
    public static <T> T build(Supplier<T> build) {
        String previous = System.getProperty(OneDnnHelpers.DISABLE_PROPERTY);
        System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, "true");
        try {
            return build.get();
        } finally {
            if (previous == null) {
                System.clearProperty(OneDnnHelpers.DISABLE_PROPERTY);
            } else {
                System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, previous);
            }
        }
    }
}
