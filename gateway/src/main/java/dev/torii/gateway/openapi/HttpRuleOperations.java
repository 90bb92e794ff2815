package dev.torii.gateway.openapi;

import dev.torii.gateway.httprule.HttpBinding;
import dev.torii.gateway.httprule.PathSegment;
import dev.torii.gateway.httprule.PathTemplate;
import dev.torii.gateway.httprule.TemplateVariable;
import dev.torii.gateway.route.MethodRoute;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a route's REST bindings (its {@code google.api.http} rule or its route file's) into the
 * operations the OpenAPI documents list. OpenAPI's path templates are plainer than
 * {@code google.api.http}'s: a variable is one {@code {name}} whatever segments it spans
 * ({@code {name=shelves/*}} becomes {@code {name}}, whose value then holds the slash), and a
 * binding OpenAPI cannot state is left out of the documents, still served: a custom verb other
 * than the five OpenAPI operations, or a wildcard that binds no field.
 */
final class HttpRuleOperations {

    private static final Set<String> OPENAPI_VERBS = Set.of("GET", "PUT", "POST", "DELETE", "PATCH");

    private HttpRuleOperations() {}

    /**
     * Lists a route's REST operations.
     *
     * @param route the route
     * @return one operation per binding OpenAPI can state, in the bindings' order
     */
    static List<RestOperation> of(MethodRoute route) {
        List<RestOperation> operations = new ArrayList<>();
        for (HttpBinding binding : route.httpBindings()) {
            if (!OPENAPI_VERBS.contains(binding.verb().toUpperCase(Locale.ROOT))) {
                continue;
            }
            openApiPath(binding.template()).ifPresent(path -> operations.add(new RestOperation(binding.verb(), path,
                    binding.template().fieldPaths(), binding.body(), binding.responseBody())));
        }
        return List.copyOf(operations);
    }

    // The template in OpenAPI's syntax, or empty when a wildcard binds no field.
    static Optional<String> openApiPath(PathTemplate template) {
        List<PathSegment> segments = template.segments();
        List<TemplateVariable> variables = template.variables();
        StringBuilder path = new StringBuilder();
        int next = 0;
        for (int i = 0; i < segments.size(); i++) {
            TemplateVariable variable = next < variables.size() ? variables.get(next) : null;
            if (variable != null && i == variable.start()) {
                path.append('/').append('{').append(variable.fieldPath()).append('}');
                i = variable.end() - 1;
                next++;
            } else if (segments.get(i) instanceof PathSegment.Literal literal) {
                path.append('/').append(literal.value());
            } else {
                return Optional.empty();
            }
        }
        if (segments.isEmpty()) {
            path.append('/');
        }
        template.verb().ifPresent(verb -> path.append(':').append(verb));
        return Optional.of(path.toString());
    }
}
