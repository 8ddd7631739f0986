package org.nd4j.nativeblas;

/**
 * TrainBenchmark's oneDNN lever, test scope only. DL4J 1.0.0-M2.1's layer helpers (MKLDNNConvHelper and
 * friends) switch on only when {@code BaseMKLDNNHelper.mklDnnEnabled()} finds this class, its pre-M2 name:
 * ND4J M2.1 moved it to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and renamed
 * {@code isUseMKLDNN} to {@code isUseONEDNN}, so the helpers never run. With {@code -Dbench.onednnHelpers=true}
 * this stand-in answers with ND4J's own flag; without it, the helpers stay off as in production.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    public static final class Environment {

        private static final Environment INSTANCE = new Environment();

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            return Boolean.getBoolean("bench.onednnHelpers")
                    && org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
