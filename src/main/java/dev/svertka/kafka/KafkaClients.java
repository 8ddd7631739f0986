package dev.svertka.kafka;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings every Kafka client of the process shares: the cluster's address and how to reach it (security
 * protocol, SASL, TLS, DNS lookup...), from the application's {@code kafka.*} properties ({@code KAFKA_*}
 * variables), the same that configure the SmallRye channels. Each client puts its own role's settings on top,
 * so a cluster that asks for credentials gets them from all of them. Immutable.
 */
public final class KafkaClients {

    private static final Set<String> PRODUCER = ProducerConfig.configNames();
    private static final Set<String> CONSUMER = ConsumerConfig.configNames();
    private static final Set<String> ADMIN = AdminClientConfig.configNames();
    private static final Set<String> ANY_CLIENT = union(PRODUCER, CONSUMER, ADMIN);

    private final Map<String, Object> common;

    private KafkaClients(Map<String, Object> common) {
        this.common = Map.copyOf(common);
    }

    /**
     * The clients {@code settings} describe: Kafka client properties, {@code bootstrap.servers} among them (the map
     * SmallRye builds from {@code kafka.*}).
     */
    public static KafkaClients of(Map<String, ?> settings) {
        if (settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new IllegalArgumentException("no " + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + " in the Kafka settings");
        }
        Map<String, Object> common = new HashMap<>(settings);
        // Quarkus adds the application's name as group.id: which group a consumer joins (if any) is its own choice
        common.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaClients(common);
    }

    /** Plain clients of the cluster at {@code bootstrap}: no security (a local or embedded broker). */
    public static KafkaClients at(String bootstrap) {
        return of(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** The same security at another address ({@code --bootstrap-servers}, {@code bootstrap=}). */
    public KafkaClients withBootstrap(String bootstrap) {
        Map<String, Object> moved = new HashMap<>(common);
        moved.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaClients(moved);
    }

    /** Where the cluster is; the one setting safe to print (the others may hold credentials). */
    public String bootstrap() {
        return String.valueOf(common.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** Settings of a producer: the shared ones with {@code own} on top. */
    public Map<String, Object> producer(Map<String, ?> own) {
        return merged(PRODUCER, own);
    }

    public Map<String, Object> consumer(Map<String, ?> own) {
        return merged(CONSUMER, own);
    }

    public Map<String, Object> admin(Map<String, ?> own) {
        return merged(ADMIN, own);
    }

    /**
     * Leaves out what only other kinds of client know ({@code group.id}, which Quarkus adds, for a producer): Kafka
     * would warn that it is unused. Keys no Kafka client knows stay: plug-ins read their own (a login callback
     * handler, Quarkus' TLS engine factory and its {@code tls-configuration-name}).
     */
    private Map<String, Object> merged(Set<String> known, Map<String, ?> own) {
        Map<String, Object> settings = new HashMap<>();
        common.forEach((key, value) -> {
            if (known.contains(key) || !ANY_CLIENT.contains(key)) {
                settings.put(key, value);
            }
        });
        settings.putAll(own);
        return settings;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }

    @Override
    public String toString() {
        return "Kafka clients of " + bootstrap();
    }
}
