package dev.svertka.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodMetricsTest {

    @Test
    void readsAPodsImagesDeadLettersVersionAndP99FromItsPrometheusText() {
        String text = """
                # HELP svertka_images_total Images classified or refused
                # TYPE svertka_images_total counter
                svertka_images_total{outcome="predicted",via="kafka"} 900.0
                svertka_images_total{outcome="predicted",via="http"} 100.0
                svertka_images_total{outcome="refused",via="kafka"} 7.0
                svertka_dead_letters_total{reason="CORRUPT_IMAGE"} 2.0
                svertka_dead_letters_total{reason="EMPTY_PAYLOAD"} 5.0
                svertka_model_version 3.0
                svertka_latency_end_to_end_seconds_bucket{le="0.001"} 10.0
                svertka_latency_end_to_end_seconds_bucket{le="0.01"} 980.0
                svertka_latency_end_to_end_seconds_bucket{le="0.05"} 995.0
                svertka_latency_end_to_end_seconds_bucket{le="+Inf"} 1000.0
                svertka_latency_end_to_end_seconds_count 1000.0
                """;

        PodMetrics pod = PodMetrics.parse("http://pod-a:8080", text);

        assertThat(pod.predicted()).isEqualTo(1000.0);
        assertThat(pod.refused()).isEqualTo(7.0);
        assertThat(pod.deadLetters()).containsEntry("CORRUPT_IMAGE", 2.0).containsEntry("EMPTY_PAYLOAD", 5.0);
        assertThat(pod.modelVersion()).isEqualTo(3.0);
        assertThat(pod.p99Ms()).as("990 of 1000 lie at or below the 50 ms bucket's bound").isEqualTo(50.0);
        assertThat(pod.error()).isNull();
    }

    @Test
    void aPodWithoutModelOrTrafficHasNoVersionAndNoLatency() {
        PodMetrics pod = PodMetrics.parse("p", "svertka_model_version NaN\n"
                + "svertka_latency_end_to_end_seconds_bucket{le=\"+Inf\"} 0.0\n");

        assertThat(pod.modelVersion()).isNull();
        assertThat(pod.p99Ms()).isNull();
        assertThat(pod.predicted()).isZero();
    }
}
