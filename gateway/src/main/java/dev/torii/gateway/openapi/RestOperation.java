package dev.torii.gateway.openapi;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One REST binding of a routed method, as {@code google.api.http} describes it, in the form the
 * OpenAPI generator documents: the HTTP verb, the path in OpenAPI's template syntax, which request
 * fields the path carries, which one the body carries, and which response field is the body.
 *
 * @param verb the HTTP method in lower case: {@code get}, {@code put}, {@code post},
 *     {@code delete} or {@code patch}
 * @param openApiPath the path with OpenAPI parameters, for example {@code /v1/offers/{id}}; each
 *     parameter is named by its request field path (for example {@code {price.currency_code}})
 * @param pathFieldPaths the request field paths bound by the path, in the proto names and in the
 *     order they appear, for example {@code [id]}
 * @param body the request field the body carries: empty for no body, {@code *} for the whole
 *     request, or a field path such as {@code offer}
 * @param responseBody the response field the answer carries; empty for the whole response
 */
public record RestOperation(String verb, String openApiPath, List<String> pathFieldPaths, String body,
        String responseBody) {

    private static final Set<String> VERBS = Set.of("get", "put", "post", "delete", "patch");

    /**
     * Checks the verb and path and copies the field paths.
     */
    public RestOperation {
        verb = verb.toLowerCase(Locale.ROOT);
        if (!VERBS.contains(verb)) {
            throw new IllegalArgumentException("verb: '" + verb + "' (expected: one of " + VERBS + ")");
        }
        if (!openApiPath.startsWith("/")) {
            throw new IllegalArgumentException("openApiPath: '" + openApiPath + "' (expected: starting with /)");
        }
        pathFieldPaths = List.copyOf(pathFieldPaths);
        for (String field : pathFieldPaths) {
            if (!openApiPath.contains("{" + field + "}")) {
                throw new IllegalArgumentException("pathFieldPaths: '" + field + "' is not a parameter of '"
                        + openApiPath + "'");
            }
        }
    }

    /**
     * Tells whether the whole request travels in the body, so no field is left for the query.
     *
     * @return true for {@code body: "*"}
     */
    public boolean wholeRequestInBody() {
        return body.equals("*");
    }
}
