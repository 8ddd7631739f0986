package dev.svertka.serve;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once a model is loaded. Kafka's side of readiness is {@link KafkaReadiness} (the cluster answers)
 * and SmallRye Reactive Messaging's own checks (the images channel), beside this one.
 */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {

    @Inject
    ModelHolder models;

    @Override
    public HealthCheckResponse call() {
        return models.current()
                .map(classifier -> HealthCheckResponse.named("model").up()
                        .withData("model", classifier.card().reference())
                        .build())
                .orElseGet(() -> HealthCheckResponse.named("model").down()
                        .withData("reason", "no model loaded yet").build());
    }
}
