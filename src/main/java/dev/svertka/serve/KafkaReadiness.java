package dev.svertka.serve;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.svertka.io.Failures;
import dev.svertka.kafka.KafkaClients;

/**
 * Ready only while the Kafka cluster answers: an inference pod with a wrong broker address, or whose broker is
 * gone, takes no traffic and fails its rollout, while liveness stays up (a restart would not bring the broker
 * back). The cluster is asked with a short timeout, at most every few seconds, by an admin client made from the
 * app's own Kafka settings ({@code kafka.*}, {@code KAFKA_*}: security included). Roles that run no pipeline
 * are not held back by it.
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private static final String NAME = "kafka";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final Duration REUSE = Duration.ofSeconds(5);

    @Inject
    KafkaClients kafka;

    @ConfigProperty(name = "svertka.inference.enabled")
    boolean inference;

    private Admin admin;
    private HealthCheckResponse last;
    private long lastAt;

    @Override
    public synchronized HealthCheckResponse call() {
        if (!inference) {
            return HealthCheckResponse.named(NAME).up().withData("pipeline", "off").build();
        }
        if (last == null || System.nanoTime() - lastAt > REUSE.toNanos()) {
            last = ask();
            lastAt = System.nanoTime();
        }
        return last;
    }

    private HealthCheckResponse ask() {
        String servers = kafka.bootstrap();
        try {
            DescribeClusterResult cluster = admin().describeCluster(
                    new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()));
            int brokers = cluster.nodes().get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS).size();
            return HealthCheckResponse.named(NAME).up().withData("bootstrap", servers)
                    .withData("brokers", brokers).build();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return HealthCheckResponse.named(NAME).down().withData("bootstrap", servers)
                    .withData("reason", Failures.describe(e)).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthCheckResponse.named(NAME).down().withData("reason", "interrupted").build();
        }
    }

    private Admin admin() {
        if (admin == null) {
            admin = Admin.create(kafka.admin(Map.of()));
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
