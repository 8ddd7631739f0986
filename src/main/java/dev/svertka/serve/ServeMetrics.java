package dev.svertka.serve;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The inference role's meters, scraped at {@code /q/metrics}: images by outcome (rate() gives
 * images/s), dead letters by reason, end-to-end and inference latency histograms, batch sizes, the
 * served model's version. Consumer lag comes from the Kafka client metrics Quarkus binds
 * ({@code kafka_consumer_fetch_manager_records_lag_max}).
 */
@ApplicationScoped
public class ServeMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    ModelHolder models;

    private Timer endToEnd;
    private Timer inference;
    private DistributionSummary batchSize;
    private Gauge modelVersion;

    @PostConstruct
    void register() {
        endToEnd = Timer.builder("svertka.latency.end.to.end")
                .description("From the input record's timestamp to its prediction")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        inference = Timer.builder("svertka.latency.inference")
                .description("One ONNX Runtime run over a batch")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        batchSize = DistributionSummary.builder("svertka.batch.size")
                .description("Images per ONNX Runtime run")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(1024.0)
                .register(registry);
        modelVersion = Gauge.builder("svertka.model.version", models,
                        holder -> holder.current().map(c -> (double) c.card().version()).orElse(Double.NaN))
                .description("Version of the model being served (NaN before one is loaded)")
                .register(registry);
    }

    /**
     * The gauge reads this application's model holder: it goes with it, or a registry that outlives the
     * application (several Quarkus starts in one test JVM) would keep answering from a holder that is gone.
     */
    @PreDestroy
    void unregister() {
        registry.remove(modelVersion);
    }

    /** {@code count} images predicted ({@code via} kafka or http). */
    public void predicted(String via, int count) {
        images(via, "predicted").increment(count);
    }

    /** One image refused; on Kafka that is a dead letter with {@code reason}. */
    public void refused(String via, String reason) {
        images(via, "refused").increment();
        if (via.equals("kafka")) {
            Counter.builder("svertka.dead.letters").description("Images sent to the dead-letter topic")
                    .tag("reason", reason).register(registry).increment();
        }
    }

    public void batch(int size, long inferenceNanos) {
        batchSize.record(size);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    public void endToEnd(double millis) {
        endToEnd.record((long) (millis * 1e6), TimeUnit.NANOSECONDS);
    }

    private Counter images(String via, String outcome) {
        return Counter.builder("svertka.images").description("Images classified or refused")
                .tag("via", via).tag("outcome", outcome).register(registry);
    }
}
