package dev.torii.gateway.routefile;

import dev.torii.gateway.route.RouteDurations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.PropertyResolver;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads typed fields out of one YAML mapping of a route file, reporting every problem with the
 * file, line and field path instead of stopping at the first.
 */
final class YamlMapping {

    /** Collects problems of one file. */
    static final class Problems {
        private final Path file;
        private final List<RouteProblem> problems;

        Problems(Path file, List<RouteProblem> problems) {
            this.file = file;
            this.problems = problems;
        }

        void add(Node node, String field, String message) {
            problems.add(new RouteProblem(file, line(node), field, message));
        }

        void addAt(int line, String message) {
            problems.add(new RouteProblem(file, line, "", message));
        }

        int count() {
            return problems.size();
        }

        Path file() {
            return file;
        }
    }

    private final MappingNode node;
    private final String path;
    private final Problems problems;
    private final PropertyResolver placeholders;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    private YamlMapping(MappingNode node, String path, Problems problems, PropertyResolver placeholders) {
        this.node = node;
        this.path = path;
        this.problems = problems;
        this.placeholders = placeholders;
        for (NodeTuple tuple : node.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                problems.add(tuple.getKeyNode(), path, "a key that is not a plain string (expected: a field name)");
                continue;
            }
            if (entries.putIfAbsent(key.getValue(), tuple) != null) {
                problems.add(key, field(key.getValue()), "appears twice (expected: once)");
            }
        }
    }

    /**
     * Wraps {@code node} as a mapping, or reports that it is not one.
     */
    static Optional<YamlMapping> of(Node node, String path, Problems problems, PropertyResolver placeholders) {
        if (node instanceof MappingNode mapping) {
            return Optional.of(new YamlMapping(mapping, path, problems, placeholders));
        }
        problems.add(node, path, "a " + kind(node) + " (expected: a mapping of fields)");
        return Optional.empty();
    }

    static int line(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    static String kind(Node node) {
        if (node instanceof ScalarNode) {
            return "single value";
        }
        if (node instanceof SequenceNode) {
            return "list";
        }
        return "mapping";
    }

    Node node() {
        return node;
    }

    String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Reports every key not in {@code allowed}, so typos never pass silently.
     */
    void allowOnly(Set<String> allowed) {
        for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
            if (!allowed.contains(entry.getKey())) {
                problems.add(entry.getValue().getKeyNode(), field(entry.getKey()),
                        "unknown field (expected one of: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    Optional<Node> get(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? Optional.empty() : Optional.of(tuple.getValueNode());
    }

    /**
     * Reads a required string, resolving {@code ${NAME:default}} placeholders.
     */
    Optional<String> requiredString(String key) {
        Optional<Node> value = get(key);
        if (value.isEmpty()) {
            problems.add(node, field(key), "missing (expected: a value)");
            return Optional.empty();
        }
        return string(value.get(), field(key));
    }

    Optional<String> optionalString(String key) {
        return get(key).flatMap(value -> string(value, field(key)));
    }

    Optional<String> string(Node value, String field) {
        if (!(value instanceof ScalarNode scalar) || scalar.getTag().getValue().endsWith(":null")) {
            problems.add(value, field, "a " + (value instanceof ScalarNode ? "null" : kind(value))
                    + " (expected: a single value)");
            return Optional.empty();
        }
        String raw = scalar.getValue();
        String resolved;
        try {
            resolved = placeholders.resolveRequiredPlaceholders(raw).trim();
        } catch (IllegalArgumentException e) {
            problems.add(value, field, "'" + raw + "' has a placeholder with no value (" + e.getMessage()
                    + "; expected: an environment variable or property, or a default as ${NAME:default})");
            return Optional.empty();
        }
        if (resolved.isEmpty()) {
            problems.add(value, field, "empty (expected: a value)");
            return Optional.empty();
        }
        return Optional.of(resolved);
    }

    /**
     * Reads an optional duration such as {@code 500ms}, {@code 5s} or {@code PT5S} within
     * {@code [min, max]}.
     */
    Optional<Duration> duration(String key, Duration min, Duration max) {
        Optional<Node> value = get(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return duration(value.get(), field(key), min, max);
    }

    Optional<Duration> duration(Node value, String field, Duration min, Duration max) {
        return string(value, field).flatMap(text -> {
            Duration duration;
            try {
                duration = DurationStyle.detectAndParse(text);
            } catch (IllegalArgumentException e) {
                problems.add(value, field, "'" + text + "' (expected: a duration such as 500ms, 5s or 1m)");
                return Optional.empty();
            }
            if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
                problems.add(value, field, "'" + text + "' (expected: between " + RouteDurations.format(min)
                        + " and " + RouteDurations.format(max) + ")");
                return Optional.empty();
            }
            return Optional.of(duration);
        });
    }

    /**
     * Reads an optional whole number within {@code [min, max]}.
     */
    Optional<Long> integer(String key, long min, long max) {
        Optional<Node> value = get(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return string(value.get(), field(key)).flatMap(text -> {
            long number;
            try {
                number = Long.parseLong(text.replace("_", ""));
            } catch (NumberFormatException e) {
                problems.add(value.get(), field(key), "'" + text + "' (expected: a whole number)");
                return Optional.empty();
            }
            if (number < min || number > max) {
                problems.add(value.get(), field(key), number + " (expected: between " + min + " and " + max + ")");
                return Optional.empty();
            }
            return Optional.of(number);
        });
    }

    /**
     * Reads an optional list of strings; a missing key is an empty list.
     */
    Optional<List<String>> stringList(String key) {
        Optional<Node> value = get(key);
        if (value.isEmpty()) {
            return Optional.of(List.of());
        }
        if (!(value.get() instanceof SequenceNode sequence)) {
            problems.add(value.get(), field(key), "a " + kind(value.get()) + " (expected: a list such as [a, b])");
            return Optional.empty();
        }
        List<String> items = new java.util.ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < sequence.getValue().size(); i++) {
            Optional<String> item = string(sequence.getValue().get(i), field(key) + "[" + i + "]");
            if (item.isPresent()) {
                items.add(item.get());
            } else {
                ok = false;
            }
        }
        return ok ? Optional.of(List.copyOf(items)) : Optional.empty();
    }

    /**
     * Reads an optional boolean written as {@code true} or {@code false}.
     */
    Optional<Boolean> bool(String key) {
        return get(key).flatMap(value -> bool(value, field(key)));
    }

    Optional<Boolean> bool(Node value, String field) {
        return string(value, field).flatMap(text -> {
            if (text.equals("true") || text.equals("false")) {
                return Optional.of(Boolean.parseBoolean(text));
            }
            problems.add(value, field, "'" + text + "' (expected: true or false)");
            return Optional.empty();
        });
    }

    Problems problems() {
        return problems;
    }

    PropertyResolver placeholders() {
        return placeholders;
    }
}
