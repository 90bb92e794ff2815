package dev.torii.gateway.routefile;

import dev.torii.gateway.route.RouteDurations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.PropertyResolver;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads typed values out of one mapping of a route file that the route-file JSON Schema has
 * accepted, so its fields, their types and their ranges are known to be right. What is left to
 * check here is what the schema cannot see: placeholders that have no value, and durations
 * outside their range. Each problem names the file, line and field.
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
    private final Map<String, Node> entries = new LinkedHashMap<>();

    YamlMapping(Node node, String path, Problems problems, PropertyResolver placeholders) {
        // The schema has vouched that this is a mapping; an empty one stands in for a null
        // (users: with no value admits every user, like users: {}).
        this.node = node instanceof MappingNode mapping ? mapping : new MappingNode(
                org.yaml.snakeyaml.nodes.Tag.MAP, List.of(), org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW);
        this.path = path;
        this.problems = problems;
        this.placeholders = placeholders;
        for (NodeTuple tuple : this.node.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key) {
                entries.putIfAbsent(key.getValue(), tuple.getValueNode());
            }
        }
    }

    static int line(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    Node node() {
        return node;
    }

    String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    Optional<Node> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** Wraps a field holding a mapping (present, by the schema). */
    YamlMapping mapping(String key) {
        return new YamlMapping(entries.get(key), field(key), problems, placeholders);
    }

    Optional<YamlMapping> optionalMapping(String key) {
        return get(key).map(value -> mapping(key));
    }

    /**
     * Reads a string the schema requires, resolving {@code ${NAME:default}} placeholders.
     */
    Optional<String> requiredString(String key) {
        return string(entries.get(key), field(key));
    }

    Optional<String> optionalString(String key) {
        return get(key).flatMap(value -> string(value, field(key)));
    }

    Optional<String> string(Node value, String field) {
        String raw = ((ScalarNode) value).getValue();
        try {
            return Optional.of(placeholders.resolveRequiredPlaceholders(raw).trim());
        } catch (IllegalArgumentException e) {
            problems.add(value, field, "'" + raw + "' has a placeholder with no value (" + e.getMessage()
                    + "; expected: an environment variable or property, or a default as ${NAME:default})");
            return Optional.empty();
        }
    }

    /**
     * Reads an optional duration such as {@code 500ms}, {@code 5s} or {@code PT5S} within
     * {@code [min, max]}: the schema knows the form, not the range.
     */
    Optional<Duration> duration(String key, Duration min, Duration max) {
        return get(key).flatMap(value -> string(value, field(key)).flatMap(text -> {
            Duration duration;
            try {
                duration = DurationStyle.detectAndParse(text);
            } catch (IllegalArgumentException e) {
                problems.add(value, field(key), "'" + text + "' (expected: a duration such as 500ms, 5s or 1m)");
                return Optional.empty();
            }
            if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
                problems.add(value, field(key), "'" + text + "' (expected: between " + RouteDurations.format(min)
                        + " and " + RouteDurations.format(max) + ")");
                return Optional.empty();
            }
            return Optional.of(duration);
        }));
    }

    /** Reads an optional whole number; the schema holds its range. */
    Optional<Long> integer(String key) {
        return optionalString(key).map(text -> Long.parseLong(text.replace("_", "")));
    }

    /** Reads an optional list of strings; a missing key is an empty list. */
    Optional<List<String>> stringList(String key) {
        Optional<Node> value = get(key);
        if (value.isEmpty()) {
            return Optional.of(List.of());
        }
        List<Node> nodes = ((SequenceNode) value.get()).getValue();
        List<String> items = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Optional<String> item = string(nodes.get(i), field(key) + "[" + i + "]");
            if (item.isEmpty()) {
                return Optional.empty();
            }
            items.add(item.get());
        }
        return Optional.of(List.copyOf(items));
    }

    /** Reads an optional boolean, {@code true} or {@code false} by the schema. */
    Optional<Boolean> bool(String key) {
        return get(key).flatMap(value -> bool(value, field(key)));
    }

    Optional<Boolean> bool(Node value, String field) {
        return string(value, field).map(text -> text.toLowerCase(Locale.ROOT).equals("true"));
    }

    Problems problems() {
        return problems;
    }

    PropertyResolver placeholders() {
        return placeholders;
    }
}
