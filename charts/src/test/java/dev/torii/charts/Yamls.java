package dev.torii.charts;

import java.util.List;
import java.util.Map;

/** Walks parsed YAML (maps and lists from SnakeYAML) by key paths, failing with the path on a miss. */
final class Yamls {

    private Yamls() {
    }

    static Object at(Object node, String... path) {
        Object current = node;
        StringBuilder walked = new StringBuilder();
        for (String key : path) {
            walked.append('.').append(key);
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                throw new AssertionError("no " + walked.substring(1) + " in " + node);
            }
            current = map.get(key);
        }
        return current;
    }

    static boolean has(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                return false;
            }
            current = map.get(key);
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object node) {
        if (!(node instanceof Map)) {
            throw new AssertionError("not a mapping: " + node);
        }
        return (Map<String, Object>) node;
    }

    static Map<String, Object> map(Object node, String... path) {
        return asMap(at(node, path));
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String... path) {
        Object value = at(node, path);
        if (!(value instanceof List)) {
            throw new AssertionError("not a list at " + String.join(".", path) + ": " + value);
        }
        return (List<Object>) value;
    }

    static List<Map<String, Object>> maps(Object node, String... path) {
        return list(node, path).stream().map(Yamls::asMap).toList();
    }

    static String string(Object node, String... path) {
        Object value = at(node, path);
        return value == null ? null : value.toString();
    }
}
