package dev.svertka.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reads YAML documents as plain maps and lists, and walks them by key. */
final class Yaml {

    private Yaml() {
    }

    static List<Map<String, Object>> loadAll(Path file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object document : parser().loadAll(reader)) {
                if (document != null) {
                    documents.add(map(document));
                }
            }
        }
        return documents;
    }

    static Map<String, Object> load(Path file) throws IOException {
        List<Map<String, Object>> documents = loadAll(file);
        if (documents.size() != 1) {
            throw new IllegalStateException(file + " holds " + documents.size() + " YAML documents, not one");
        }
        return documents.get(0);
    }

    /** A file holding one YAML list (a JSON 6902 patch). */
    static List<Object> loadList(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            Object document = parser().load(reader);
            if (!(document instanceof List<?> list)) {
                throw new IllegalStateException(file + " is not a YAML list");
            }
            return new ArrayList<>(list);
        }
    }

    /** The value under the given keys, or null where a key is missing. */
    static Object at(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    static Map<String, Object> mapAt(Object node, String... keys) {
        Object value = at(node, keys);
        return value == null ? Map.of() : map(value);
    }

    static List<Object> listAt(Object node, String... keys) {
        Object value = at(node, keys);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalStateException(String.join(".", keys) + " is not a list: " + value);
        }
        return List.copyOf(list);
    }

    static List<Map<String, Object>> mapsAt(Object node, String... keys) {
        return listAt(node, keys).stream().map(Yaml::map).toList();
    }

    static String stringAt(Object node, String... keys) {
        return Objects.toString(at(node, keys), null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalStateException("not a mapping: " + value);
        }
        return (Map<String, Object>) value;
    }

    private static org.yaml.snakeyaml.Yaml parser() {
        return new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions()));
    }
}
