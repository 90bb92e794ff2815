package dev.torii.gateway.routefile;

import com.google.api.CustomHttpPattern;
import com.google.api.HttpRule;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a method's {@code http} entry of a route file, the REST bindings the platform team
 * declares for a service whose protos carry none, into the {@link HttpRule} that
 * {@code google.api.http} would have given: the same fields, in the route files' lowerCamelCase
 * ({@code responseBody}, {@code additionalBindings}). The schema has checked the shape (one
 * pattern per rule); the templates and field paths are checked against the method afterwards,
 * like a proto's own rule.
 */
final class HttpRuleReader {

    private HttpRuleReader() {}

    /**
     * Reads one rule and its additional bindings.
     *
     * @param rule the rule's mapping
     * @return the rule, or empty when a placeholder had no value (reported)
     */
    static Optional<HttpRule> read(YamlMapping rule) {
        HttpRule.Builder builder = HttpRule.newBuilder();
        boolean complete = pattern(rule, builder);
        Optional<String> body = rule.optionalString("body");
        Optional<String> responseBody = rule.optionalString("responseBody");
        body.ifPresent(builder::setBody);
        responseBody.ifPresent(builder::setResponseBody);
        Optional<Node> more = rule.get("additionalBindings");
        if (more.isPresent()) {
            List<Node> entries = ((SequenceNode) more.get()).getValue();
            for (int i = 0; i < entries.size(); i++) {
                String field = rule.field("additionalBindings") + "[" + i + "]";
                Optional<HttpRule> binding = read(new YamlMapping(entries.get(i), field, rule.problems(),
                        rule.placeholders()));
                if (binding.isEmpty()) {
                    complete = false;
                } else {
                    builder.addAdditionalBindings(binding.get());
                }
            }
        }
        return complete ? Optional.of(builder.build()) : Optional.empty();
    }

    private static boolean pattern(YamlMapping rule, HttpRule.Builder builder) {
        for (String verb : List.of("get", "put", "post", "delete", "patch")) {
            if (rule.get(verb).isPresent()) {
                Optional<String> path = rule.optionalString(verb);
                path.ifPresent(template -> {
                    switch (verb) {
                        case "get" -> builder.setGet(template);
                        case "put" -> builder.setPut(template);
                        case "post" -> builder.setPost(template);
                        case "delete" -> builder.setDelete(template);
                        default -> builder.setPatch(template);
                    }
                });
                return path.isPresent();
            }
        }
        YamlMapping custom = rule.mapping("custom");
        Optional<String> kind = custom.requiredString("kind");
        Optional<String> path = custom.requiredString("path");
        if (kind.isEmpty() || path.isEmpty()) {
            return false;
        }
        builder.setCustom(CustomHttpPattern.newBuilder().setKind(kind.get()).setPath(path.get()));
        return true;
    }
}
