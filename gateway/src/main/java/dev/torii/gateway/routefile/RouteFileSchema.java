package dev.torii.gateway.routefile;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.core.env.PropertyResolver;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks route files against the route-file JSON Schema (draft 2020-12), the same schema editors
 * use for completion and inline errors, and reports each violation with its file, line and field.
 *
 * <p>The loader already checks everything the gateway relies on; this check keeps the files and
 * the schema in step, so a file that passes here shows no error in an editor either.
 * Placeholders are resolved first, as at run time, and a resolved plain value is typed again the
 * way YAML would type it ({@code ${TLS:false}} becomes the boolean {@code false}).
 */
final class RouteFileSchema {

    /** Where the schema is inside the gateway's jar (copied there from {@code routes/} at build time). */
    static final String RESOURCE = "META-INF/torii/route-file.schema.json";

    private static final Set<String> COMBINATOR_KEYWORDS = Set.of("oneOf", "anyOf");
    private static final Set<String> PROPERTY_KEYWORDS = Set.of("additionalProperties", "unevaluatedProperties",
            "required", "dependentRequired");
    // Suffix of the entries in the node map that hold a mapping's key rather than its value.
    private static final String KEY = "#key";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Resolver TYPES = new Resolver();

    private final Schema schema;
    private final PropertyResolver placeholders;

    private RouteFileSchema(Schema schema, PropertyResolver placeholders) {
        this.schema = schema;
        this.placeholders = placeholders;
    }

    /**
     * Reads the schema shipped inside the gateway's jar.
     *
     * @param placeholders resolves {@code ${NAME:default}} in route values, as the loader does
     * @return the check
     * @throws IllegalStateException when the jar lacks the schema
     */
    static RouteFileSchema bundled(PropertyResolver placeholders) {
        try (InputStream in = RouteFileSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path (expected: inside the"
                        + " gateway's jar, copied from routes/route-file.schema.json by the build)");
            }
            return of(in, placeholders);
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a schema.
     *
     * @param schemaJson the schema document, JSON
     * @param placeholders resolves {@code ${NAME:default}} in route values, as the loader does
     * @return the check
     */
    static RouteFileSchema of(InputStream schemaJson, PropertyResolver placeholders) {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        return new RouteFileSchema(registry.getSchema(schemaJson), placeholders);
    }

    /**
     * Checks one route file.
     *
     * @param file the route file
     * @return the violations, in document order; empty when the file conforms or is not readable
     *     YAML (the loader reports those)
     */
    List<RouteProblem> check(Path file) {
        Node root;
        try {
            root = compose(file);
        } catch (IOException | YAMLException e) {
            return List.of();
        }
        if (root == null) {
            return List.of();
        }
        Map<String, Node> nodes = new HashMap<>();
        JsonNode document = toJson(root, "", nodes);
        // One problem per place: a value matching no branch of a oneOf yields the oneOf's own
        // error plus one per branch, and only the branches say what was expected.
        Map<Place, List<String>> messages = new LinkedHashMap<>();
        Map<Place, String> summaries = new LinkedHashMap<>();
        for (Error error : schema.validate(document)) {
            String field = field(error.getInstanceLocation());
            Node node = nodes.get(field);
            if (PROPERTY_KEYWORDS.contains(error.getKeyword()) && error.getProperty() != null) {
                // The error is about a property of this object: point at the property when it is
                // there (an unknown field), at the object when it is not (a missing one).
                field = join(field, error.getProperty());
                node = nodes.getOrDefault(field + KEY, node);
            }
            Place place = new Place(line(node), field);
            if (COMBINATOR_KEYWORDS.contains(error.getKeyword())) {
                summaries.putIfAbsent(place, error.getMessage());
                continue;
            }
            List<String> texts = messages.computeIfAbsent(place, p -> new ArrayList<>());
            if (!texts.contains(error.getMessage())) {
                texts.add(error.getMessage());
            }
        }
        summaries.forEach((place, summary) -> messages.putIfAbsent(place, List.of(summary)));
        List<RouteProblem> problems = new ArrayList<>();
        messages.forEach((place, texts) -> {
            if (summaries.containsKey(place) && messages.keySet().stream().anyMatch(other -> other.within(place))) {
                // A branch failing deeper inside the value is the one the author meant (a mapping
                // with a wrong field, not a name); the other branches' complaints would mislead.
                return;
            }
            problems.add(new RouteProblem(file, place.line(), place.field(),
                    String.join("; ", texts) + " (route-file.schema.json)"));
        });
        problems.sort(Comparator.comparingInt(RouteProblem::line));
        return problems;
    }

    private record Place(int line, String field) {

        boolean within(Place outer) {
            return outer.field.isEmpty() ? !field.isEmpty()
                    : field.startsWith(outer.field + ".") || field.startsWith(outer.field + "[");
        }
    }

    private static Node compose(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true);
        options.setMaxAliasesForCollections(10);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        try (Reader reader = new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder())) {
            for (Node document : yaml.composeAll(reader)) {
                return document;
            }
            return null;
        }
    }

    private JsonNode toJson(Node node, String field, Map<String, Node> nodes) {
        nodes.putIfAbsent(field, node);
        if (node instanceof MappingNode mapping) {
            ObjectNode object = JSON.objectNode();
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && !object.has(key.getValue())) {
                    String child = join(field, key.getValue());
                    nodes.putIfAbsent(child + KEY, key);
                    object.set(key.getValue(), toJson(tuple.getValueNode(), child, nodes));
                }
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = JSON.arrayNode();
            for (int i = 0; i < sequence.getValue().size(); i++) {
                array.add(toJson(sequence.getValue().get(i), field + "[" + i + "]", nodes));
            }
            return array;
        }
        return scalar((ScalarNode) node);
    }

    private JsonNode scalar(ScalarNode scalar) {
        String value = scalar.getValue();
        Tag tag = scalar.getTag();
        if (value.contains("${")) {
            String resolved = placeholders.resolvePlaceholders(value);
            if (!resolved.equals(value)) {
                value = resolved;
                if (scalar.isPlain()) {
                    tag = TYPES.resolve(NodeId.scalar, value, true);
                }
            }
        }
        if (tag.equals(Tag.NULL)) {
            return JSON.nullNode();
        }
        if (tag.equals(Tag.BOOL)) {
            String lower = value.toLowerCase(Locale.ROOT);
            return JSON.booleanNode(lower.equals("true") || lower.equals("yes") || lower.equals("on"));
        }
        try {
            if (tag.equals(Tag.INT)) {
                return JSON.numberNode(new BigInteger(value.replace("_", "")));
            }
            if (tag.equals(Tag.FLOAT)) {
                return JSON.numberNode(Double.parseDouble(value.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            // Hexadecimal, octal and sexagesimal numbers and .inf stay text: no route field takes them.
        }
        return JSON.stringNode(value);
    }

    private static String field(NodePath path) {
        StringBuilder field = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            if (element instanceof Integer index) {
                field.append('[').append(index).append(']');
            } else {
                field.append(field.length() == 0 ? "" : ".").append(element);
            }
        }
        return field.toString();
    }

    private static int line(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static String join(String parent, String child) {
        return parent.isEmpty() ? child : parent + "." + child;
    }
}
