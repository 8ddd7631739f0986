package dev.svertka.train;

import java.util.Locale;
import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * The optimiser and its learning-rate schedule, written as text for options and job specs:
 * {@code adam[:LR]} or {@code sgd[:LR[:MOMENTUM]]} (SGD with Nesterov momentum, 0.9 by default), and a
 * schedule {@code constant}, {@code step:FACTOR:EVERY} (multiply by FACTOR every EVERY epochs) or
 * {@code exponential:FACTOR} (multiply by FACTOR each epoch).
 */
public record Optimizer(String name, double learningRate, double momentum, String schedule) {

    public static final Optimizer DEFAULT = parse("adam", "constant");

    public Optimizer {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("the learning rate must be positive, got " + learningRate);
        }
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        rate(schedule, learningRate); // validates the schedule
    }

    public static Optimizer parse(String optimizer, String schedule) {
        String[] parts = optimizer.strip().toLowerCase(Locale.ROOT).split(":");
        return switch (parts[0]) {
            case "adam" -> new Optimizer("adam", parts.length > 1 ? number(parts[1], optimizer) : 1e-3, 0,
                    schedule);
            case "sgd" -> new Optimizer("sgd", parts.length > 1 ? number(parts[1], optimizer) : 1e-2,
                    parts.length > 2 ? number(parts[2], optimizer) : 0.9, schedule);
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer
                    + "': use adam[:LR] or sgd[:LR[:MOMENTUM]]");
        };
    }

    /** A copy with another base learning rate (fine-tuning starts lower). */
    public Optimizer withLearningRate(double rate) {
        return new Optimizer(name, rate, momentum, schedule);
    }

    /** The DL4J updater, its learning rate following the schedule by epoch. */
    public IUpdater updater() {
        ISchedule rate = rate(schedule, learningRate);
        return name.equals("sgd") ? new Nesterovs(rate, momentum) : new Adam(rate);
    }

    /** Makes every layer of {@code conf} train with this optimiser (before the network is initialised). */
    public void applyTo(MultiLayerConfiguration conf) {
        setUpdater(conf, updater());
    }

    static void setUpdater(MultiLayerConfiguration conf, IUpdater updater) {
        setUpdater(conf.getConfs().stream().map(NeuralNetConfiguration::getLayer), updater);
    }

    static void setUpdater(ComputationGraphConfiguration conf, IUpdater updater) {
        setUpdater(conf.getVertices().values().stream().filter(LayerVertex.class::isInstance)
                .map(vertex -> ((LayerVertex) vertex).getLayerConf().getLayer()), updater);
    }

    private static void setUpdater(Stream<Layer> layers, IUpdater updater) {
        layers.forEach(layer -> {
            if (layer instanceof BaseLayer base) {
                base.setIUpdater(updater);
                base.setBiasUpdater(null); // biases follow the weights' updater
            }
        });
    }

    /** For logs and model cards, e.g. "adam(lr=0.001, step:0.5:5)". */
    public String describe() {
        return name + "(lr=" + learningRate + (name.equals("sgd") ? ", momentum=" + momentum : "") + ", "
                + schedule + ")";
    }

    private static ISchedule rate(String schedule, double initial) {
        String[] parts = schedule.strip().toLowerCase(Locale.ROOT).split(":");
        return switch (parts[0]) {
            case "constant" -> new StepSchedule(ScheduleType.EPOCH, initial, 1.0, Integer.MAX_VALUE);
            case "step" -> {
                if (parts.length != 3) {
                    throw new IllegalArgumentException("step schedule is step:FACTOR:EVERY, got '" + schedule + "'");
                }
                yield new StepSchedule(ScheduleType.EPOCH, initial, factor(parts[1], schedule),
                        Math.max(1, (int) number(parts[2], schedule)));
            }
            case "exponential" -> {
                if (parts.length != 2) {
                    throw new IllegalArgumentException("exponential schedule is exponential:FACTOR, got '" + schedule
                            + "'");
                }
                yield new ExponentialSchedule(ScheduleType.EPOCH, initial, factor(parts[1], schedule));
            }
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + schedule
                    + "': use constant, step:FACTOR:EVERY or exponential:FACTOR");
        };
    }

    private static double factor(String text, String whole) {
        double f = number(text, whole);
        if (!(f > 0 && f <= 1)) {
            throw new IllegalArgumentException("a schedule factor must be in (0, 1], got " + f + " in '" + whole + "'");
        }
        return f;
    }

    private static double number(String text, String whole) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' in '" + whole + "' is not a number");
        }
    }
}
