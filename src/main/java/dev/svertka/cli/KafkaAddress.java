package dev.svertka.cli;

import dev.svertka.kafka.KafkaClients;
import picocli.CommandLine.Option;

/**
 * {@code --bootstrap-servers} of a command that is a Kafka client: another address for the configured clients,
 * whose security settings ({@code kafka.security.protocol}, {@code kafka.sasl.*}, {@code kafka.ssl.*}) still apply.
 */
class KafkaAddress {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers, with the configured security"
            + " settings (default: kafka.bootstrap.servers).")
    String servers;

    KafkaClients over(KafkaClients configured) {
        return servers == null ? configured : configured.withBootstrap(servers);
    }
}
