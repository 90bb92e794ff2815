package dev.torii.gateway.route;

import dev.torii.gateway.httprule.Match;
import dev.torii.gateway.httprule.PathMatcher;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Maps request paths to routes. Immutable: a reload builds a new table and swaps it in, so a
 * request keeps the table it started with.
 */
public final class RouteTable {

    private final Map<String, MethodRoute> byPath;
    private final PathMatcher<MethodRoute> byTemplate;
    private final boolean hasHttpBindings;
    private final List<ServiceRoutes> services;
    private final Instant loadedAt;

    /**
     * Builds a table; paths must already be unique and REST templates free of conflicts (the
     * loader checks).
     *
     * @param services the loaded route files
     * @param loadedAt when they were loaded
     */
    public RouteTable(List<ServiceRoutes> services, Instant loadedAt) {
        this.services = List.copyOf(services);
        this.byPath = services.stream()
                .flatMap(s -> s.methods().stream())
                .collect(Collectors.toUnmodifiableMap(MethodRoute::path, Function.identity()));
        PathMatcher.Builder<MethodRoute> templates = PathMatcher.builder();
        services.forEach(s -> s.methods().forEach(m -> m.httpBindings().forEach(b -> templates.add(b, m))));
        this.byTemplate = templates.build();
        this.hasHttpBindings = services.stream().anyMatch(s -> s.methods().stream()
                .anyMatch(m -> !m.httpBindings().isEmpty()));
        this.loadedAt = loadedAt;
    }

    /**
     * Finds the route serving a request path.
     *
     * @param path the request path, for example {@code /examples.offer.v1.OfferService/GetOffer}
     * @return the route, or {@code null} when none matches
     */
    public MethodRoute find(String path) {
        return byPath.get(path);
    }

    /**
     * Matches a request against the REST bindings' templates, compiled into one tree: no scan
     * over the routes.
     *
     * @param method the request's HTTP method
     * @param rawPath the request path as received, percent-encoded
     * @return the route and path variables; or the methods the path takes (405); or not found
     */
    public Match<MethodRoute> matchHttp(String method, String rawPath) {
        return byTemplate.match(method, rawPath);
    }

    /**
     * Tells whether any route has a REST binding, so that requests need no template walk when
     * none has.
     *
     * @return whether {@link #matchHttp} can find anything
     */
    public boolean hasHttpBindings() {
        return hasHttpBindings;
    }

    /**
     * Returns every route file's content, in load order.
     *
     * @return the services
     */
    public List<ServiceRoutes> services() {
        return services;
    }

    /**
     * Returns every distinct upstream the routes use, local targets included.
     *
     * @return the upstreams, in first-use order
     */
    public Set<UpstreamTarget> upstreams() {
        Set<UpstreamTarget> upstreams = new LinkedHashSet<>();
        services.forEach(s -> upstreams.add(s.upstream()));
        services.forEach(s -> s.methods().forEach(m -> m.localUpstream().ifPresent(upstreams::add)));
        return upstreams;
    }

    /**
     * Returns the number of exposed methods.
     *
     * @return the route count
     */
    public int size() {
        return byPath.size();
    }

    /**
     * Returns when the table was loaded.
     *
     * @return the load time
     */
    public Instant loadedAt() {
        return loadedAt;
    }
}
