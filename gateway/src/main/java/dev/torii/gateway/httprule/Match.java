package dev.torii.gateway.httprule;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link PathMatcher#match} found for a request: a binding, a path bound only under other
 * HTTP methods (405), no binding at all (404), or a path that cannot be decoded (400).
 *
 * @param <T> what the matcher's bindings carry, typically the method route
 */
public sealed interface Match<T> {

    /**
     * A binding matched the request's method and path.
     *
     * @param value the value the binding was added with
     * @param binding the binding that matched
     * @param variables field path → decoded value, in the template's order; a single-segment
     *     variable has every escape decoded ({@code %2F} included), a multi-segment one keeps its
     *     {@code /} separators and its reserved characters' escapes
     * @param <T> what the matcher's bindings carry
     */
    record Found<T>(T value, HttpBinding binding, Map<String, String> variables) implements Match<T> {

        /** Checks the components and keeps an unmodifiable copy of the variables in their order. */
        public Found {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(binding, "binding");
            variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        }
    }

    /**
     * No binding of the request's method matches the path, but bindings of other methods do: the
     * caller answers 405 with an {@code Allow} header.
     *
     * @param allowed the methods whose bindings match the path, sorted
     * @param <T> what the matcher's bindings carry
     */
    record MethodNotAllowed<T>(Set<String> allowed) implements Match<T> {

        /** Keeps an unmodifiable copy of the methods. */
        public MethodNotAllowed {
            allowed = Collections.unmodifiableSet(new TreeSet<>(allowed));
        }
    }

    /**
     * No binding of any method matches the path: the caller answers 404.
     *
     * @param <T> what the matcher's bindings carry
     */
    record NotFound<T>() implements Match<T> {}

    /**
     * The path is not a valid request path: a malformed percent escape ({@code %zz}, a truncated
     * {@code %4}), a matched variable whose escapes do not decode as UTF-8, or no leading
     * {@code /}. The caller answers 400 rather than 404: no template was at fault.
     *
     * @param reason what is wrong with the path, for the error message
     * @param <T> what the matcher's bindings carry
     */
    record BadPath<T>(String reason) implements Match<T> {}
}
