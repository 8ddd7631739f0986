package dev.svertka.kafka;

import java.util.Map;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.smallrye.common.annotation.Identifier;

/**
 * The process's Kafka clients, from the {@code kafka.*} properties and {@code KAFKA_*} variables (SmallRye's
 * {@code default-kafka-broker} map, which the pipeline's consumer channel uses too): the outcome publisher,
 * readiness, topic admin, announcer, model watcher, {@code send} and the {@code kafka:} training source all
 * connect as that consumer does.
 */
@Singleton
public class ConfiguredKafka {

    // @Singleton: KafkaClients is final (no client proxy) and immutable
    @Produces
    @Singleton
    KafkaClients clients(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return KafkaClients.of(kafka);
    }
}
