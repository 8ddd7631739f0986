package org.nd4j.nativeblas;

import dev.svertka.backend.OneDnnHelpers;

/**
 * The name DL4J 1.0.0-M2.1 looks for before it lets a oneDNN layer helper run. Its
 * {@code BaseMKLDNNHelper.mklDnnEnabled()} asks {@code org.nd4j.nativeblas.Nd4jCpu$Environment#isUseMKLDNN()}
 * by reflection, the pre-M2 name; ND4J M2.1 moved the class to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and renamed the method {@code isUseONEDNN}, so without
 * this class every helper reports itself unsupported and DL4J trains on its im2col path. This one answers with
 * ND4J's own flag: true only when the loaded natives were built with oneDNN.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    public static final class Environment {

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            return OneDnnHelpers.inNatives();
        }
    }
}
