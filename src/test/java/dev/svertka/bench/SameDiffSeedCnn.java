package dev.svertka.bench;

import java.util.Map;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.api.ops.random.custom.DistributionUniform;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierUniformInitScheme;
import org.nd4j.weightinit.impl.ZeroInitScheme;

import dev.svertka.data.LabeledImages;
import dev.svertka.train.ImageBatches;

/**
 * The SameDiff lever of issue 7: seed-cnn (conv 8 3x3 ReLU, conv 16 3x3 ReLU, max-pool 2, dropout 0.2, dense 128
 * ReLU, dropout 0.5, dense softmax; Xavier-uniform weights, zero biases, Adam 1e-3) written as a SameDiff graph
 * with its conv2d/maxPooling2d ops and trained with {@code sd.fit} on the same batches as the {@code Trainer}
 * (ImageBatches behind an async prefetch). Inference uses a copy of the graph without the dropout ops, which
 * SameDiff would otherwise apply at test time too.
 */
final class SameDiffSeedCnn {

    private static final String INPUT = "input";
    private static final String LABEL = "label";
    private static final String LOGITS = "logits";

    private final SameDiff training;
    private final int height;
    private final int width;
    private final int classes;

    SameDiffSeedCnn(LabeledImages train) {
        this.height = train.shape().height();
        this.width = train.shape().width();
        this.classes = train.classes();
        if (train.shape().channels() != 1) {
            throw new IllegalArgumentException("the SameDiff seed-cnn bench takes 1-channel images, got "
                    + train.shape());
        }
        training = graph(true);
        training.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-3))
                .dataSetFeatureMapping(INPUT).dataSetLabelMapping(LABEL).build());
    }

    /** Trains the epochs and returns the seconds they took (batch building included, as the Trainer counts). */
    double fit(LabeledImages train, int epochs, int batchSize, long seed, CpuClock cpu) {
        AsyncDataSetIterator batches = new AsyncDataSetIterator(ImageBatches.shuffled(train, batchSize, seed), 2,
                false);
        try {
            long started = System.nanoTime();
            training.fit(batches, epochs, new BaseListener() {
                @Override
                public boolean isActive(Operation operation) {
                    return operation == Operation.TRAINING;
                }

                @Override
                public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
                    cpu.batchDone();
                }
            });
            return (System.nanoTime() - started) / 1e9;
        } finally {
            batches.shutdown();
        }
    }

    double accuracy(LabeledImages test) {
        SameDiff inference = graph(false);
        training.variables().stream().filter(v -> v.getArr() != null && inference.hasVariable(v.name())
                        && inference.getVariable(v.name()).getVariableType() == v.getVariableType())
                .forEach(v -> inference.getVariable(v.name()).setArray(v.getArr()));
        ImageBatches batches = ImageBatches.inOrder(test, 256);
        long correct = 0;
        while (batches.hasNext()) {
            DataSet batch = batches.next();
            INDArray logits = inference.output(Map.of(INPUT, batch.getFeatures()), LOGITS).get(LOGITS);
            INDArray predicted = logits.argMax(1);
            INDArray actual = batch.getLabels().argMax(1);
            correct += predicted.eq(actual).castTo(DataType.INT32).sumNumber().longValue();
        }
        return (double) correct / test.size();
    }

    private SameDiff graph(boolean withDropout) {
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.placeHolder(INPUT, DataType.FLOAT, -1, 1, height, width);
        SDVariable label = sd.placeHolder(LABEL, DataType.FLOAT, -1, classes);
        SDVariable x = sd.nn().relu(sd.cnn().conv2d(input, convWeights(sd, "w1", 1, 8), sd.var("b1",
                new ZeroInitScheme('c'), DataType.FLOAT, 8), conv()), 0);
        x = sd.nn().relu(sd.cnn().conv2d(x, convWeights(sd, "w2", 8, 16), sd.var("b2",
                new ZeroInitScheme('c'), DataType.FLOAT, 16), conv()), 0);
        x = sd.cnn().maxPooling2d(x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build());
        long flat = 16L * ((height - 4) / 2) * ((width - 4) / 2);
        x = retain(sd, x.reshape(-1, flat), 0.8, withDropout);
        x = sd.nn().relu(sd.nn().linear(x, dense(sd, "w3", flat, 128), sd.var("b3", new ZeroInitScheme('c'),
                DataType.FLOAT, 128)), 0);
        x = retain(sd, x, 0.5, withDropout);
        SDVariable logits = sd.nn().linear(LOGITS, x, dense(sd, "w4", 128, classes), sd.var("b4",
                new ZeroInitScheme('c'), DataType.FLOAT, classes));
        sd.loss().softmaxCrossEntropy("loss", label, logits, null);
        sd.setLossVariables("loss");
        return sd;
    }

    /**
     * Inverted dropout as DL4J's: {@code retain} is the probability to keep a unit, kept units scaled by 1/p. Built
     * from differentiable ops (mask = floor(u + p), u uniform in [0, 1)) because SameDiff M2.1's dropout ops have
     * no gradient.
     */
    private static SDVariable retain(SameDiff sd, SDVariable x, double retain, boolean withDropout) {
        if (!withDropout) {
            return x;
        }
        SDVariable uniform = new DistributionUniform(sd, x.shape(), 0, 1, DataType.FLOAT).outputVariable();
        return x.mul(sd.math().floor(uniform.add(retain)).div(retain));
    }

    private static Conv2DConfig conv() {
        return Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).dataFormat("NCHW").build();
    }

    /** [kH, kW, in, out] as SameDiff's conv2d takes them; DL4J's fan-in/out for conv weights: channels x 3 x 3. */
    private static SDVariable convWeights(SameDiff sd, String name, int in, int out) {
        return sd.var(name, new XavierUniformInitScheme('c', in * 9, out * 9), DataType.FLOAT, 3, 3, in, out);
    }

    private static SDVariable dense(SameDiff sd, String name, long in, long out) {
        return sd.var(name, new XavierUniformInitScheme('c', in, out), DataType.FLOAT, in, out);
    }
}
