package dev.torii.gateway.routefile;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
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
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks route files against the route-file JSON Schema (draft 2020-12), the same schema editors
 * use for completion and inline errors, and reports each violation with its file, line and field,
 * worded as {@link SchemaMessages} says. The gateway runs it on every load (start-up, reload and
 * the {@code check} command), so the schema is the one statement of a route file's shape.
 *
 * <p>Placeholders are resolved first, as at run time, and a resolved plain value is typed again the
 * way YAML 1.2 (and so an editor) would type it ({@code ${TLS:false}} becomes the boolean
 * {@code false}; {@code yes} stays a string).
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
    private final SchemaMessages messages;
    private final PropertyResolver placeholders;

    private RouteFileSchema(Schema schema, JsonNode document, PropertyResolver placeholders) {
        this.schema = schema;
        this.messages = new SchemaMessages(document);
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
     * @throws IOException when the document cannot be read
     */
    static RouteFileSchema of(InputStream schemaJson, PropertyResolver placeholders) throws IOException {
        JsonNode document = JsonMapper.shared().readTree(schemaJson.readAllBytes());
        // x-expected and x-problems word the gateway's messages (see SchemaMessages); to the
        // validator they are annotations, as to editors.
        Dialect dialect = Dialect.builder(Dialects.getDraft202012())
                .keyword(new AnnotationKeyword("x-expected"))
                .keyword(new AnnotationKeyword("x-problems"))
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect);
        return new RouteFileSchema(registry.getSchema(document), document, placeholders);
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
            root = RouteFileParser.compose(file, false);
        } catch (IOException | YAMLException e) {
            return List.of();
        }
        return root == null ? List.of() : check(file, root);
    }

    /**
     * Checks the parsed document of a route file.
     *
     * @param file the route file, named in the problems
     * @param root the document's root
     * @return the violations, in document order
     */
    List<RouteProblem> check(Path file, Node root) {
        Map<String, Node> nodes = new HashMap<>();
        JsonNode document = toJson(root, "", nodes);
        List<Found> found = new ArrayList<>();
        for (Error error : schema.validate(document)) {
            String at = field(error.getInstanceLocation());
            String field = at;
            Node node = nodes.get(at);
            if (PROPERTY_KEYWORDS.contains(error.getKeyword()) && error.getProperty() != null) {
                // The error is about a property of this object: point at the property when it is
                // there (an unknown field), at the object when it is not (a missing one).
                field = join(at, messages.property(error));
                node = nodes.getOrDefault(field + KEY, node);
            }
            found.add(new Found(error, at, nodes.get(at), field, line(node)));
        }
        Map<Place, List<String>> texts = new LinkedHashMap<>();
        for (Found f : relevant(found)) {
            List<String> place = texts.computeIfAbsent(new Place(f.line(), f.field()), p -> new ArrayList<>());
            String text = COMBINATOR_KEYWORDS.contains(f.error().getKeyword()) ? f.error().getMessage()
                    : messages.message(f.error(), f.value());
            if (!place.contains(text)) {
                place.add(text);
            }
        }
        List<RouteProblem> problems = new ArrayList<>();
        texts.forEach((place, list) -> problems.add(new RouteProblem(file, place.line(), place.field(),
                String.join("; ", list) + " (route-file.schema.json)")));
        problems.sort(Comparator.comparingInt(RouteProblem::line));
        return problems;
    }

    /** One violation, with the field it is about and the YAML value at its instance location. */
    private record Found(Error error, String at, Node value, String field, int line) {}

    private record Place(int line, String field) {}

    // A value matching no branch of a oneOf yields an error per branch and one for the oneOf; only
    // the branches for the kind of value written (a single value, or a mapping or list) say what
    // was meant, and the oneOf's own error only when nothing else is said about the value.
    private List<Found> relevant(List<Found> found) {
        List<Found> kept = new ArrayList<>();
        for (Found f : found) {
            SchemaMessages.Kind written = f.value() instanceof ScalarNode ? SchemaMessages.Kind.SCALAR
                    : SchemaMessages.Kind.CONTAINER;
            boolean combinator = COMBINATOR_KEYWORDS.contains(f.error().getKeyword());
            boolean othersSpeak = found.stream().anyMatch(o -> o != f && !COMBINATOR_KEYWORDS.contains(
                    o.error().getKeyword()) && (o.at().equals(f.at()) || within(o.at(), f.at())));
            if (combinator && othersSpeak) {
                continue;
            }
            SchemaMessages.Kind judged = messages.kind(f.error());
            boolean meantForOtherKind = judged != SchemaMessages.Kind.EITHER && judged != written;
            boolean matchingSpeak = found.stream().anyMatch(o -> o != f && ((o.at().equals(f.at())
                    && messages.kind(o.error()) == written)
                    || (written == SchemaMessages.Kind.CONTAINER && within(o.at(), f.at()))));
            if (meantForOtherKind && matchingSpeak) {
                continue;
            }
            kept.add(f);
        }
        return kept;
    }

    private static boolean within(String inner, String outer) {
        return outer.isEmpty() ? !inner.isEmpty() : inner.startsWith(outer + ".") || inner.startsWith(outer + "[");
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
            // YAML 1.1 also reads yes, no, on and off as booleans; YAML 1.2, editors and the
            // gateway do not.
            String lower = value.toLowerCase(Locale.ROOT);
            if (lower.equals("true") || lower.equals("false")) {
                return JSON.booleanNode(lower.equals("true"));
            }
            return JSON.stringNode(value);
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
