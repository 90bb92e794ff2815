package dev.torii.gateway.httprule;

import java.util.HashMap;
import java.util.Map;

/**
 * One node of the matcher's trie: the children reached by one more request segment (literals by
 * their normalised text, {@code *}, and the {@code **} tail) and the bindings of the templates
 * that end here, by verb suffix and HTTP method. Built mutable by {@link PathMatcher.Builder},
 * then frozen into immutable copies.
 *
 * @param <T> what the bindings carry
 */
final class TrieNode<T> {

    /** A binding ending at a node, with the value it was added with. */
    record Route<T>(HttpBinding binding, T value) {}

    private final Map<String, TrieNode<T>> literals;
    private TrieNode<T> single;
    private TrieNode<T> multi;
    // verb suffix ("" for none) -> HTTP method -> route
    private final Map<String, Map<String, Route<T>>> routes;

    TrieNode() {
        this(new HashMap<>(), null, null, new HashMap<>());
    }

    private TrieNode(Map<String, TrieNode<T>> literals, TrieNode<T> single, TrieNode<T> multi,
            Map<String, Map<String, Route<T>>> routes) {
        this.literals = literals;
        this.single = single;
        this.multi = multi;
        this.routes = routes;
    }

    /** Returns the child for {@code segment}, adding it while building. */
    TrieNode<T> child(PathSegment segment) {
        if (segment instanceof PathSegment.Literal literal) {
            return literals.computeIfAbsent(literal.value(), k -> new TrieNode<>());
        }
        if (segment instanceof PathSegment.SingleWildcard) {
            if (single == null) {
                single = new TrieNode<>();
            }
            return single;
        }
        if (multi == null) {
            multi = new TrieNode<>();
        }
        return multi;
    }

    /** Adds a route ending here; returns the route already there for the same verb suffix and method, if any. */
    Route<T> put(String verbSuffix, Route<T> route) {
        return routes.computeIfAbsent(verbSuffix, k -> new HashMap<>()).putIfAbsent(route.binding().verb(), route);
    }

    boolean hasLiterals() {
        return !literals.isEmpty();
    }

    TrieNode<T> literal(String normalisedSegment) {
        return literals.get(normalisedSegment);
    }

    TrieNode<T> single() {
        return single;
    }

    TrieNode<T> multi() {
        return multi;
    }

    /** Returns the routes of templates ending here with the verb suffix, by HTTP method; empty when none. */
    Map<String, Route<T>> routes(String verbSuffix) {
        return routes.getOrDefault(verbSuffix, Map.of());
    }

    /** Returns an immutable deep copy; the depth of the recursion is the longest template's segment count. */
    TrieNode<T> freeze() {
        Map<String, TrieNode<T>> frozenLiterals = new HashMap<>();
        literals.forEach((key, child) -> frozenLiterals.put(key, child.freeze()));
        Map<String, Map<String, Route<T>>> frozenRoutes = new HashMap<>();
        routes.forEach((verb, byMethod) -> frozenRoutes.put(verb, Map.copyOf(byMethod)));
        return new TrieNode<>(Map.copyOf(frozenLiterals), single == null ? null : single.freeze(),
                multi == null ? null : multi.freeze(), Map.copyOf(frozenRoutes));
    }
}
