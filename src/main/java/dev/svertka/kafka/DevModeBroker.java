package dev.svertka.kafka;

import java.io.IOException;
import java.nio.file.Path;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;

/**
 * Dev mode ({@code ./mvnw quarkus:dev}) brings its own broker: an embedded KRaft node on a fixed
 * port, which the {@code %dev} profile names as {@code kafka.bootstrap.servers}. Kafka clients
 * started a moment earlier simply retry until it answers.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevModeBroker {

    @ConfigProperty(name = "svertka.dev.kafka-port", defaultValue = "19092")
    int port;

    @ConfigProperty(name = "svertka.dev.kafka-dir", defaultValue = "target/dev-kafka")
    Path dataDir;

    private EmbeddedKafka kafka;

    void start(@Observes StartupEvent event) throws IOException {
        kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dataDir).withPort(port));
    }

    @PreDestroy
    void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
