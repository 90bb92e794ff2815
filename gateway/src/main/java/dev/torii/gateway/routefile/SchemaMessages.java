package dev.torii.gateway.routefile;

import com.networknt.schema.Error;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * Words a JSON Schema violation of a route file the way the gateway words every route-file
 * problem: the value, then what was expected ({@code 'soon' (expected: a duration such as 500ms,
 * 5s or 1m)}, {@code unknown field (expected one of: ...)}, {@code missing (expected: ...)}).
 *
 * <p>What is expected comes from the schema itself: the names of a mapping's properties, a
 * number's bounds, a type, and two annotations editors ignore: {@code x-expected} (a phrase for
 * what a value should be, on the value's schema or on the {@code oneOf} it is a branch of) and
 * {@code x-problems} (a whole message per keyword, for rules whose failure deserves its own words).
 */
final class SchemaMessages {

    /** Which kind of value a keyword judges: a single value, or a mapping or list. */
    enum Kind { SCALAR, CONTAINER, EITHER }

    private static final Set<String> SCALAR_KEYWORDS = Set.of("const", "enum", "pattern", "minLength", "maxLength",
            "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf");
    private static final Set<String> CONTAINER_KEYWORDS = Set.of("additionalProperties", "unevaluatedProperties",
            "required", "dependentRequired", "minProperties", "maxProperties", "minItems", "maxItems",
            "uniqueItems", "properties", "items");

    private final JsonNode schema;

    SchemaMessages(JsonNode schema) {
        this.schema = schema;
    }

    /**
     * Tells which kind of value an error's keyword judges, so the errors of the {@code oneOf}
     * branches meant for another kind of value can be left out.
     */
    Kind kind(Error error) {
        String keyword = error.getKeyword();
        if (keyword.equals("type")) {
            JsonNode type = holder(error).path("type");
            boolean container = type.isArray()
                    ? type.valueStream().anyMatch(SchemaMessages::isContainerType) : isContainerType(type);
            boolean scalar = type.isArray()
                    ? type.valueStream().anyMatch(t -> !isContainerType(t)) : !isContainerType(type);
            return container && scalar ? Kind.EITHER : container ? Kind.CONTAINER : Kind.SCALAR;
        }
        if (SCALAR_KEYWORDS.contains(keyword)) {
            return Kind.SCALAR;
        }
        return CONTAINER_KEYWORDS.contains(keyword) ? Kind.CONTAINER : Kind.EITHER;
    }

    private static boolean isContainerType(JsonNode type) {
        return type.asString("").equals("object") || type.asString("").equals("array");
    }

    /**
     * Names the property an error of a property keyword is about: the unknown or the missing one
     * (for {@code dependentRequired}, the one missing, not the one that requires it).
     */
    String property(Error error) {
        if (!error.getKeyword().equals("dependentRequired")) {
            return error.getProperty();
        }
        JsonNode instance = error.getInstanceNode();
        return holder(error).path("dependentRequired").path(error.getProperty()).valueStream()
                .map(JsonNode::asString).filter(name -> instance == null || !instance.has(name)).findFirst()
                .orElse(error.getProperty());
    }

    /**
     * Words one error.
     *
     * @param error the violation
     * @param value the YAML node the error is about (the mapping, for a missing or unknown field)
     * @return the message, without the field
     */
    String message(Error error, Node value) {
        String keyword = error.getKeyword();
        JsonNode holder = holder(error);
        JsonNode own = holder.path("x-problems").path(keyword);
        if (own.isString()) {
            return own.asString();
        }
        JsonNode instance = error.getInstanceNode();
        return switch (keyword) {
            case "additionalProperties", "unevaluatedProperties" -> "unknown field (expected one of: "
                    + String.join(", ", new TreeSet<>(properties(error))) + ")";
            case "required" -> "missing (expected: " + missing(error) + "); required here: "
                    + holder.path("required").valueStream().map(JsonNode::asString).collect(Collectors.joining(", "));
            case "dependentRequired" -> "missing (expected: " + missingDependent(error) + "); required with "
                    + error.getProperty();
            case "minItems" -> (instance != null && instance.isEmpty() ? "a list with no entries"
                    : "a list of " + (instance == null ? 0 : instance.size()) + " entries")
                    + " (expected: " + expected(error, "at least " + holder.path("minItems").asInt() + " entries") + ")";
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" ->
                    scalar(instance) + " (expected: " + bounds(holder) + ")";
            case "type" -> typeMessage(error, value, holder);
            case "const", "enum", "pattern", "minLength", "maxLength", "format" ->
                    describe(value, instance) + " (expected: " + expected(error, generic(keyword, holder)) + ")";
            default -> error.getMessage();
        };
    }

    private String typeMessage(Error error, Node value, JsonNode holder) {
        String expected = expected(error, typePhrase(holder.path("type")));
        if (value instanceof ScalarNode scalar && !scalar.isPlain() && error.getInstanceNode() != null
                && error.getInstanceNode().isString()) {
            // A quoted true, 5 or null is a string; the schema's own words say so.
            return error.getMessage() + " ('" + error.getInstanceNode().asString()
                    + "' is quoted, which makes it a string; expected: " + expected + ")";
        }
        if (value instanceof ScalarNode && kind(error) == Kind.CONTAINER) {
            return "a single value (expected: " + expected + ")";
        }
        return describe(value, error.getInstanceNode()) + " (expected: " + expected + ")";
    }

    private static String describe(Node value, JsonNode instance) {
        if (value instanceof MappingNode) {
            return "a mapping";
        }
        if (value instanceof SequenceNode) {
            return "a list";
        }
        if (instance == null || instance.isNull()) {
            return "null";
        }
        return scalar(instance);
    }

    private static String scalar(JsonNode instance) {
        if (instance == null) {
            return "null";
        }
        return instance.isNumber() || instance.isBoolean() ? instance.asString() : "'" + instance.asString() + "'";
    }

    // x-expected of the keyword's schema, or of the oneOf or anyOf whose branch it is.
    private String expected(Error error, String fallback) {
        List<Object> path = holderPath(error);
        JsonNode holder = at(path);
        if (holder.path("x-expected").isString()) {
            return holder.path("x-expected").asString();
        }
        int n = path.size();
        if (n >= 2 && path.get(n - 1) instanceof Integer && ("oneOf".equals(path.get(n - 2))
                || "anyOf".equals(path.get(n - 2)))) {
            JsonNode owner = at(path.subList(0, n - 2));
            if (owner.path("x-expected").isString()) {
                return owner.path("x-expected").asString();
            }
        }
        return fallback;
    }

    private String missingDependent(Error error) {
        return missing(error, property(error));
    }

    private String missing(Error error) {
        return missing(error, error.getProperty());
    }

    // What a missing property should be: a value, or what its own schema expects.
    private String missing(Error error, String name) {
        JsonNode property = propertySchema(error, name);
        if (property.path("x-expected").isString() && !property.path("type").asString("").equals("string")) {
            return property.path("x-expected").asString();
        }
        JsonNode type = property.path("type");
        return type.isMissingNode() || type.asString("").equals("string") ? "a value" : typePhrase(type);
    }

    // The property's schema, looked up from the keyword's schema outwards (a required inside
    // else names a property of the object around it), following a local $ref.
    private JsonNode propertySchema(Error error, String name) {
        List<Object> path = holderPath(error);
        for (int end = path.size(); end >= 0; end--) {
            JsonNode candidate = at(path.subList(0, end)).path("properties").path(name);
            if (!candidate.isMissingNode()) {
                JsonNode ref = candidate.path("$ref");
                if (ref.isString() && ref.asString().startsWith("#/")) {
                    JsonNode target = schema.at(ref.asString().substring(1));
                    return candidate.has("x-expected") || target.isMissingNode() ? candidate : target;
                }
                return candidate;
            }
        }
        return MissingNode.getInstance();
    }

    private Set<String> properties(Error error) {
        Set<String> names = new TreeSet<>();
        holder(error).path("properties").propertyNames().forEach(names::add);
        return names;
    }

    private static String bounds(JsonNode holder) {
        JsonNode min = holder.path("minimum");
        JsonNode max = holder.path("maximum");
        if (min.isNumber() && max.isNumber()) {
            return "between " + min.asString() + " and " + max.asString();
        }
        return min.isNumber() ? "at least " + min.asString() : "at most " + max.asString();
    }

    private static String generic(String keyword, JsonNode holder) {
        return switch (keyword) {
            case "const" -> holder.path("const").asString();
            case "enum" -> "one of: " + holder.path("enum").valueStream().map(JsonNode::asString)
                    .collect(Collectors.joining(", "));
            case "pattern" -> "a value matching " + holder.path("pattern").asString();
            case "minLength" -> "at least " + holder.path("minLength").asInt() + " character(s)";
            case "maxLength" -> "at most " + holder.path("maxLength").asInt() + " characters";
            default -> "a value the schema allows";
        };
    }

    private static String typePhrase(JsonNode type) {
        if (type.isArray()) {
            return type.valueStream().map(SchemaMessages::typePhrase).collect(Collectors.joining(", or "));
        }
        return switch (type.asString("")) {
            case "boolean" -> "true or false";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "object" -> "a mapping of fields";
            case "array" -> "a list such as [a, b]";
            case "null" -> "nothing";
            default -> "a string";
        };
    }

    private JsonNode holder(Error error) {
        return at(holderPath(error));
    }

    // The schema location of the keyword's schema: the error's location up to the keyword.
    private static List<Object> holderPath(Error error) {
        NodePath fragment = error.getSchemaLocation().getFragment();
        List<Object> path = new ArrayList<>();
        for (int i = 0; i < fragment.getNameCount(); i++) {
            path.add(fragment.getElement(i));
        }
        int keyword = path.lastIndexOf(error.getKeyword());
        return keyword < 0 ? path : path.subList(0, keyword);
    }

    private JsonNode at(List<Object> path) {
        JsonNode node = schema;
        for (Object element : path) {
            node = element instanceof Integer index ? node.path(index) : node.path(element.toString());
        }
        return node;
    }
}
