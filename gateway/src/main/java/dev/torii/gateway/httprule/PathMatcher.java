package dev.torii.gateway.httprule;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Finds the REST binding of a request from its HTTP method and raw path, over every binding of a
 * route table compiled into one trie keyed by segment: literal children in a hash map, a {@code *}
 * child and a {@code **} tail. A lookup costs the path's length plus the trie nodes it can reach,
 * never a scan over the bindings. Immutable and thread-safe once built.
 *
 * <p><b>Precedence.</b> When several templates match, the one whose segments are most specific
 * wins, compared segment by segment from the left: a literal before {@code *} before
 * {@code **}, backtracking to the next choice when a branch leads to no binding of the request's
 * method. This is the depth-first order of {@code PathMatcherNode::LookupPath} in
 * grpc-httpjson-transcoding ({@code path_matcher_node.cc}), which Envoy's
 * {@code grpc_json_transcoder} filter uses; so {@code /v1/shelves/special} beats
 * {@code /v1/shelves/{id}}, which beats {@code /v1/{path=**}}. {@code **} also matches zero
 * segments ({@code /v1/**} matches {@code /v1}), as there. Under this order only templates of the
 * same shape (segments and verb) can tie, and {@link Builder#add} refuses those.
 *
 * <p><b>Verbs.</b> As in grpc-gateway's {@code ServeMux}, a custom verb is the text after the last
 * {@code :} of the last segment, and only when some template declares that verb; a request is
 * matched with the verb split off; only when that finds no binding under any method is it matched
 * again with the colon kept as segment text ({@code /v1/offers/a:b} binds {@code {id}} to
 * {@code a:b}). A colon in any other segment is ordinary segment text. grpc-gateway retries every
 * verb-less template of the request's method, so {@code GET /v1/b:publish} would bind
 * {@code {name}} to {@code b:publish} when only {@code POST /v1/{name}:publish} declares the verb;
 * here that is a 405 naming {@code POST}, as in Envoy, which always splits a declared verb off.
 *
 * <p><b>Percent-encoding</b> (http.proto, AIP-127). A literal matches a request segment equal to it
 * once escapes of unreserved characters are decoded ({@code %7Euser} matches {@code ~user}). A
 * single-segment variable's value has every escape decoded, {@code %2F} included: it is part of the
 * value, not a separator. A multi-segment variable's value keeps its {@code /} separators, and the
 * escapes of RFC 6570 reserved characters ({@code :/?#[]@!$&'()*+,;=}) stay as written, as
 * reserved expansion would have written them. A malformed escape anywhere in the path, or a value
 * that does not decode as UTF-8, is {@link Match.BadPath}.
 *
 * <p><b>Empty segments.</b> No segment of a template is empty, so an empty request segment matches
 * nothing, not even {@code *} or {@code **}: {@code /v1//offers}, a trailing slash
 * ({@code /v1/offers/}) and {@code /} find no binding, as in grpc-gateway (Envoy instead drops
 * trailing slashes). {@code HEAD} is not implied by {@code GET}.
 *
 * @param <T> what each binding carries, typically the method route
 */
public final class PathMatcher<T> {

    private final TrieNode<T> root;
    // Every verb suffix some template declares: a request's ":x" is a verb only when x is here.
    private final Set<String> verbs;
    // The most segments a template has, and whether any ends in '**': a deeper path without a
    // '**' to absorb it is refused before it is cut into segments.
    private final int maxDepth;
    private final boolean hasMultiWildcard;

    private PathMatcher(TrieNode<T> root, Set<String> verbs, int maxDepth, boolean hasMultiWildcard) {
        this.root = root;
        this.verbs = verbs;
        this.maxDepth = maxDepth;
        this.hasMultiWildcard = hasMultiWildcard;
    }

    /**
     * Starts a matcher.
     *
     * @param <T> what each binding carries
     * @return an empty builder
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Finds the binding of a request.
     *
     * @param httpMethod the request's method, compared case-sensitively (RFC 9110 section 9.1)
     * @param rawPath the request path as received: percent-encoded, without the query
     * @return the binding and its variables; or the methods the path is bound under; or not found;
     *     or a bad path
     */
    public Match<T> match(String httpMethod, String rawPath) {
        Objects.requireNonNull(httpMethod, "httpMethod");
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return new Match.BadPath<>("path " + quote(rawPath) + " does not start with '/'");
        }
        int malformed = PercentEncoding.firstMalformedEscape(rawPath, 0, rawPath.length());
        if (malformed >= 0) {
            return new Match.BadPath<>("path has a malformed percent escape at offset " + malformed
                    + " (expected: '%' and two hex digits)");
        }
        int count = RequestPath.countSegments(rawPath);
        if (count > maxDepth && !hasMultiWildcard) {
            // Deeper than every template and no '**' to absorb the rest: nothing to split.
            return new Match.NotFound<>();
        }
        RequestPath whole = RequestPath.split(rawPath, count);
        try {
            Optional<RequestPath> withVerb = whole.withVerb(verbs);
            if (withVerb.isPresent()) {
                Match<T> verbMatch = match(httpMethod, withVerb.get());
                if (!(verbMatch instanceof Match.NotFound)) {
                    return verbMatch;
                }
            }
            return match(httpMethod, whole);
        } catch (MalformedPathException e) {
            return new Match.BadPath<>(e.getMessage());
        }
    }

    private Match<T> match(String httpMethod, RequestPath path) {
        Map<String, TrieNode.Route<T>> routes = walk(path, byMethod -> byMethod.containsKey(httpMethod));
        if (routes != null) {
            TrieNode.Route<T> route = routes.get(httpMethod);
            return new Match.Found<>(route.value(), route.binding(), variables(route.binding().template(), path));
        }
        Set<String> allowed = new TreeSet<>();
        walk(path, byMethod -> {
            allowed.addAll(byMethod.keySet());
            return false;
        });
        return allowed.isEmpty() ? new Match.NotFound<>() : new Match.MethodNotAllowed<>(allowed);
    }

    // Visits, in precedence order, the route maps of every template matching the path, until
    // accept returns true, and returns that map (null when none was accepted). Iterative, so a
    // path of 100,000 segments cannot overflow the stack; each trie node is visited at most once
    // (its depth fixes the segment it is compared with), and only segments a node with literal
    // children is compared with are normalised: no deeper than the longest template.
    private Map<String, TrieNode.Route<T>> walk(RequestPath path, Predicate<Map<String, TrieNode.Route<T>>> accept) {
        int count = path.count();
        String[] normalised = new String[Math.min(count, maxDepth)];
        ArrayDeque<Frame<T>> stack = new ArrayDeque<>();
        stack.push(new Frame<>(root, 0));
        while (!stack.isEmpty()) {
            Frame<T> frame = stack.peek();
            TrieNode<T> node = frame.node;
            int index = frame.index;
            if (index == count) {
                stack.pop();
                if (accepts(node, path, accept)) {
                    return node.routes(path.verb());
                }
                if (node.multi() != null && accepts(node.multi(), path, accept)) {
                    return node.multi().routes(path.verb());
                }
                continue;
            }
            switch (frame.next++) {
                case 0 -> {
                    if (node.hasLiterals()) {
                        if (normalised[index] == null) {
                            normalised[index] = PercentEncoding.normalize(path.segment(index));
                        }
                        TrieNode<T> child = node.literal(normalised[index]);
                        if (child != null) {
                            stack.push(new Frame<>(child, index + 1));
                        }
                    }
                }
                case 1 -> {
                    if (node.single() != null && !path.isEmpty(index)) {
                        stack.push(new Frame<>(node.single(), index + 1));
                    }
                }
                default -> {
                    stack.pop();
                    if (node.multi() != null && path.noEmptySegmentFrom(index) && accepts(node.multi(), path, accept)) {
                        return node.multi().routes(path.verb());
                    }
                }
            }
        }
        return null;
    }

    private boolean accepts(TrieNode<T> node, RequestPath path, Predicate<Map<String, TrieNode.Route<T>>> accept) {
        Map<String, TrieNode.Route<T>> routes = node.routes(path.verb());
        return !routes.isEmpty() && accept.test(routes);
    }

    // Template segment i consumed request segment i; a trailing '**' consumed the rest.
    private static Map<String, String> variables(PathTemplate template, RequestPath path) {
        Map<String, String> values = new LinkedHashMap<>();
        for (TemplateVariable variable : template.variables()) {
            boolean toTheEnd = template.segments().get(variable.end() - 1) instanceof PathSegment.MultiWildcard;
            int last = toTheEnd ? path.count() : variable.end();
            values.put(variable.fieldPath(), variable.multiSegment()
                    ? path.decodeExceptReserved(variable.start(), last)
                    : path.decodeAll(variable.start(), last));
        }
        return values;
    }

    private static String quote(String text) {
        return text == null ? "null" : "'" + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + "'";
    }

    // A trie node on the walk's stack and the next of its choices to try: 0 literal, 1 '*', 2 '**'.
    private static final class Frame<T> {
        final TrieNode<T> node;
        final int index;
        int next;

        Frame(TrieNode<T> node, int index) {
            this.node = node;
            this.index = index;
        }
    }

    /**
     * Collects bindings into a {@link PathMatcher}. Not thread-safe; {@link #build} copies what it
     * has collected, so the builder can go on without affecting matchers already built.
     *
     * @param <T> what each binding carries
     */
    public static final class Builder<T> {

        private final TrieNode<T> root = new TrieNode<>();
        private final Set<String> verbs = new HashSet<>();
        private int maxDepth;
        private boolean hasMultiWildcard;

        private Builder() {}

        /**
         * Adds a binding.
         *
         * @param binding the binding
         * @param value what a match of the binding returns
         * @return this builder
         * @throws ConflictingBindingException naming both bindings when one with the same HTTP
         *     method and template shape was added before: no request could tell them apart
         */
        public Builder<T> add(HttpBinding binding, T value) {
            Objects.requireNonNull(binding, "binding");
            Objects.requireNonNull(value, "value");
            TrieNode<T> node = root;
            for (PathSegment segment : binding.template().segments()) {
                node = node.child(segment);
            }
            String verb = binding.template().verb().orElse("");
            TrieNode.Route<T> existing = node.put(verb, new TrieNode.Route<>(binding, value));
            if (existing != null) {
                throw new ConflictingBindingException(existing.binding(), existing.value(), binding, value);
            }
            if (!verb.isEmpty()) {
                verbs.add(verb);
            }
            List<PathSegment> segments = binding.template().segments();
            maxDepth = Math.max(maxDepth, segments.size());
            hasMultiWildcard |= segments.get(segments.size() - 1) instanceof PathSegment.MultiWildcard;
            return this;
        }

        /**
         * Builds the matcher.
         *
         * @return an immutable matcher of the bindings added so far
         */
        public PathMatcher<T> build() {
            return new PathMatcher<>(root.freeze(), Set.copyOf(verbs), maxDepth, hasMultiWildcard);
        }
    }
}
