package dev.svertka.deploy;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.shutdown.ShutdownConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import picocli.CommandLine.Command;

import dev.svertka.cli.NeedsTrainingStack;
import dev.svertka.cli.SvertkaCommand;

/**
 * What the application reads, taken from its own sources rather than repeated in the deployment
 * tests: src/main/resources/application.properties, the {@code @ConfigMapping} interfaces and
 * {@code @ConfigProperty} injections compiled into target/classes, and picocli's command names.
 */
final class AppConfig {

    static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path PROPERTIES = ROOT.resolve("src/main/resources/application.properties");
    private static final Path CLASSES = ROOT.resolve("target/classes");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");
    /** Quarkus settings the deployment sets; their config roots prove the keys exist. */
    private static final List<Class<?>> QUARKUS_ROOTS = List.of(ShutdownConfig.class);
    /** The server roles: they listen on HTTP (health, metrics). */
    static final Set<String> SERVER_COMMANDS = Set.of("serve", "trainer");

    private final Properties properties;
    private final Set<String> keys;

    private AppConfig(Properties properties, Set<String> keys) {
        this.properties = properties;
        this.keys = keys;
    }

    static AppConfig load() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(PROPERTIES, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Set<String> keys = new HashSet<>();
        properties.stringPropertyNames().forEach(k -> keys.add(k.replaceFirst("^%[^.]+\\.", "")));
        for (Class<?> type : annotatedClasses()) {
            keys.addAll(readKeys(type));
        }
        QUARKUS_ROOTS.forEach(root -> keys.addAll(readKeys(root)));
        return new AppConfig(properties, keys);
    }

    /** A value application.properties defines (expressions resolved); fails if it does not. */
    String value(String key) {
        String raw = properties.getProperty(key);
        if (raw == null) {
            throw new IllegalStateException(key + " is not in " + PROPERTIES);
        }
        return resolve(raw);
    }

    /** A value application.properties may define; otherwise the framework's default. */
    String valueOr(String key, String frameworkDefault) {
        return properties.containsKey(key) ? value(key) : frameworkDefault;
    }

    int httpPort() {
        return Integer.parseInt(valueOr("quarkus.http.port", "8080"));
    }

    String livenessPath() {
        return healthPath(valueOr("quarkus.smallrye-health.liveness-path", "live"));
    }

    String readinessPath() {
        return healthPath(valueOr("quarkus.smallrye-health.readiness-path", "ready"));
    }

    String metricsPath() {
        return managementPath(valueOr("quarkus.micrometer.export.prometheus.path", "metrics"));
    }

    String imagesTopic() {
        return value("svertka.topics.images");
    }

    String predictionsTopic() {
        return value("svertka.topics.predictions");
    }

    String deadLetterTopic() {
        return value("svertka.topics.dead-letters");
    }

    /** The compacted announcements topic: the architecture's name until the app defines its key. */
    String modelsTopic() {
        return valueOr("svertka.topics.models", "models");
    }

    String consumerGroup() {
        return value("mp.messaging.incoming.images.group.id");
    }

    String offsetReset() {
        return valueOr("mp.messaging.incoming.images.auto.offset.reset", "latest");
    }

    long maxPayloadBytes() {
        return Long.parseLong(value("svertka.serve.max-payload-bytes"));
    }

    /**
     * Longest drain a pod with this environment gets: Quarkus' shutdown timeout and any *drain*
     * duration application.properties defines, each as the environment overrides it.
     */
    Duration drainTime(Map<String, String> env) {
        Set<String> keys = new HashSet<>(Set.of("quarkus.shutdown.timeout"));
        properties.stringPropertyNames().stream().filter(k -> !k.startsWith("%") && k.contains("drain")).forEach(keys::add);
        return keys.stream()
                .map(k -> Optional.ofNullable(env.get(envName(k))).or(() -> Optional.ofNullable(properties.getProperty(k)).map(this::resolve)))
                .flatMap(Optional::stream)
                .map(AppConfig::duration)
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    /** Whether the app reads this environment variable (SmallRye's mapping of a key it knows). */
    boolean readsEnv(String name) {
        if (keys.stream().anyMatch(k -> envName(k).equals(name))) {
            return true;
        }
        // the JVM itself reads it, whatever the image's entry point passes
        if (name.equals("JAVA_TOOL_OPTIONS")) {
            return true;
        }
        // Quarkus hands every kafka.* property (KAFKA_SASL_JAAS_CONFIG -> sasl.jaas.config) to the
        // Kafka connector as a client setting (KafkaRuntimeConfigProducer)
        if (name.startsWith("KAFKA_")) {
            String client = name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
            return ConsumerConfig.configNames().contains(client) || ProducerConfig.configNames().contains(client);
        }
        return false;
    }

    /** The commands the application's command line knows. */
    static Set<String> commands() {
        return commandNames(command -> true);
    }

    /** The commands that run DL4J/ND4J ({@link NeedsTrainingStack}): the inference image refuses them. */
    static Set<String> trainingCommands() {
        return commandNames(command -> command.isAnnotationPresent(NeedsTrainingStack.class));
    }

    private static Set<String> commandNames(Predicate<Class<?>> which) {
        Set<String> names = new HashSet<>();
        for (Class<?> sub : SvertkaCommand.class.getAnnotation(Command.class).subcommands()) {
            if (which.test(sub)) {
                names.add(sub.getAnnotation(Command.class).name());
            }
        }
        return names;
    }

    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** A Quarkus duration: "30s", "500ms", ISO-8601 "PT30S", or a plain number of seconds. */
    static Duration duration(String text) {
        String value = text.trim();
        if (value.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        if (value.matches("\\d+ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.matches("\\d+[smhd]")) {
            return Duration.parse((value.endsWith("d") ? "P" : "PT") + value.toUpperCase(Locale.ROOT));
        }
        return Duration.parse(value);
    }

    private String healthPath(String check) {
        return managementPath(valueOr("quarkus.smallrye-health.root-path", "health") + "/" + check);
    }

    private String managementPath(String path) {
        return "/" + valueOr("quarkus.http.non-application-root-path", "q") + "/" + path;
    }

    private String resolve(String raw) {
        Matcher m = EXPRESSION.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String inner = properties.containsKey(m.group(1)) ? value(m.group(1)) : m.group(2);
            if (inner == null) {
                throw new IllegalStateException("${" + m.group(1) + "} has no value in " + PROPERTIES);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(inner));
        }
        return m.appendTail(out).toString();
    }

    /** Classes in target/classes that declare config keys (a cheap byte search before loading). */
    private static List<Class<?>> annotatedClasses() throws IOException {
        byte[][] markers = {"Lio/smallrye/config/ConfigMapping;".getBytes(StandardCharsets.UTF_8),
                "Lorg/eclipse/microprofile/config/inject/ConfigProperty;".getBytes(StandardCharsets.UTF_8)};
        try (Stream<Path> files = Files.walk(CLASSES)) {
            List<Path> classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
            List<Class<?>> found = new ArrayList<>();
            for (Path file : classFiles) {
                byte[] bytes = Files.readAllBytes(file);
                if (Stream.of(markers).anyMatch(marker -> contains(bytes, marker))) {
                    String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                    try {
                        found.add(Class.forName(name, false, AppConfig.class.getClassLoader()));
                    } catch (ClassNotFoundException e) {
                        throw new IOException("cannot load " + name, e);
                    }
                }
            }
            return found;
        }
    }

    private static Set<String> readKeys(Class<?> type) {
        Set<String> found = new HashSet<>();
        ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
        if (mapping != null) {
            addMappedKeys(type, mapping.prefix(), found);
        }
        Stream.of(type.getDeclaredFields()).forEach(f -> addProperty(f, found));
        for (var constructor : type.getDeclaredConstructors()) {
            Stream.of(constructor.getParameters()).forEach(p -> addProperty(p, found));
        }
        return found;
    }

    private static void addMappedKeys(Class<?> type, String prefix, Set<String> found) {
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() != 0 || !Modifier.isAbstract(method.getModifiers())) {
                continue;
            }
            WithName name = method.getAnnotation(WithName.class);
            String key = prefix + "." + (name != null ? name.value() : kebab(method.getName()));
            Class<?> returned = method.getReturnType();
            if (returned.isInterface() && returned.getPackageName().startsWith("dev.svertka")) {
                addMappedKeys(returned, key, found);
            } else {
                found.add(key);
            }
        }
    }

    private static void addProperty(AnnotatedElement element, Set<String> found) {
        Optional.ofNullable(element.getAnnotation(ConfigProperty.class))
                .map(ConfigProperty::name)
                .filter(n -> !n.isEmpty())
                .ifPresent(found::add);
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
