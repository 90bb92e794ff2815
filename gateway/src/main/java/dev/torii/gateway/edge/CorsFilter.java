package dev.torii.gateway.edge;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.route.CorsPolicy;
import dev.torii.gateway.httprule.Match;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Lets web pages on other origins call the gateway, as the route file's CORS policy (or the
 * gateway-wide default) allows. A preflight is answered here, before route matching and auth,
 * since it carries no credential: 204 with the {@code Access-Control-Allow-*} headers, or 403
 * with none of them when the origin, method or a header is not allowed. An actual request from
 * an allowed origin gets {@code Access-Control-Allow-Origin} and the exposed headers on every
 * answer, errors included; one from another origin goes on without them, and the browser keeps
 * the answer from the page. Every answer of a path with a policy says {@code Vary: Origin}.
 *
 * <p>Spring's {@link CorsConfiguration} decides what matches (origin patterns, methods,
 * headers); this step only writes the answer, in the pipeline, so preflights get a request id,
 * metrics and an access-log line like any request.
 */
public final class CorsFilter implements GatewayFilter {

    private static final String VARY_PREFLIGHT = String.join(", ", HttpHeaders.ORIGIN,
            HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);

    // What a policy compiles to, once per policy object: route files make new ones on reload,
    // and the cache lets the old ones go with their table.
    private record Compiled(CorsConfiguration configuration, String exposedHeaders, String maxAgeSeconds) {}

    private final RouteRegistry routes;
    private final CorsPolicy defaultPolicy;
    private final List<String> builtInAllowedHeaders;
    private final LoadingCache<CorsPolicy, Compiled> compiled = Caffeine.newBuilder().weakKeys().build(this::compile);

    /**
     * Creates the step.
     *
     * @param routes the table in force, whose route files may carry a policy
     * @param defaultPolicy the policy of paths whose route file has none, and of unknown paths
     * @param forwardedHeaders the client headers the gateway forwards to backends, allowed
     *     besides {@link CorsPolicy#BUILT_IN_ALLOWED_HEADERS}
     */
    public CorsFilter(RouteRegistry routes, CorsPolicy defaultPolicy, List<String> forwardedHeaders) {
        this.routes = routes;
        this.defaultPolicy = defaultPolicy;
        Set<String> allowed = new LinkedHashSet<>(CorsPolicy.BUILT_IN_ALLOWED_HEADERS);
        allowed.addAll(forwardedHeaders);
        this.builtInAllowedHeaders = List.copyOf(allowed);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        GatewayExchange state = GatewayExchange.of(exchange);
        String preflightMethod = state.preflightMethod();
        MethodRoute route = routeOf(request, state);
        CorsPolicy policy = route == null ? defaultPolicy : route.cors().orElse(defaultPolicy);
        boolean preflight = preflightMethod != null;
        if (!policy.enabled()) {
            return preflight ? Mono.error(GatewayErrors.corsPreflightRefused("no other origin may call this path"
                    + " (expected: a cors section in its route file, or torii.gateway.cors.allowed-origins)"))
                    : chain.filter(exchange);
        }
        HttpHeaders responseHeaders = exchange.getResponse().getHeaders();
        String origin = request.getHeaders().getOrigin();
        responseHeaders.add(HttpHeaders.VARY, preflight ? VARY_PREFLIGHT : HttpHeaders.ORIGIN);
        if (origin == null) {
            return chain.filter(exchange);
        }
        Compiled rules = compiled.get(policy);
        String allowedOrigin = rules.configuration().checkOrigin(origin);
        if (preflight) {
            return preflight(exchange, rules, origin, allowedOrigin, preflightMethod.trim());
        }
        if (allowedOrigin != null) {
            allow(responseHeaders, rules, allowedOrigin);
            responseHeaders.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, rules.exposedHeaders());
        }
        return chain.filter(exchange);
    }

    // The route whose file's policy applies: by RPC path, or by the REST binding the protocol
    // step matched (for a preflight, under the method the page will call with).
    private MethodRoute routeOf(ServerHttpRequest request, GatewayExchange state) {
        if (state.httpMatchOrNull() instanceof Match.Found<MethodRoute> found) {
            return found.value();
        }
        return routes.matching(state.warmUp()).find(request.getPath().value());
    }

    private Mono<Void> preflight(ServerWebExchange exchange, Compiled rules, String origin, String allowedOrigin,
            String method) {
        HttpHeaders requestHeaders = exchange.getRequest().getHeaders();
        if (allowedOrigin == null) {
            return Mono.error(GatewayErrors.corsPreflightRefused("origin '" + origin
                    + "' may not call this path from a browser (expected: an origin in the route file's"
                    + " cors.allowedOrigins, or torii.gateway.cors.allowed-origins)"));
        }
        List<HttpMethod> methods = method.isEmpty() || !method.chars().allMatch(c -> c > 32 && c < 127)
                ? null : rules.configuration().checkHttpMethod(HttpMethod.valueOf(method));
        if (methods == null) {
            return Mono.error(GatewayErrors.corsPreflightRefused("method '" + method + "' (expected one of: "
                    + String.join(", ", rules.configuration().getAllowedMethods()) + ")"));
        }
        List<String> asked = requestHeaders.getAccessControlRequestHeaders();
        List<String> headers = asked.isEmpty() ? List.of() : rules.configuration().checkHeaders(asked);
        String refused = firstMissing(asked, headers);
        if (refused != null) {
            return Mono.error(GatewayErrors.corsPreflightRefused("request header '" + refused + "' (expected: a"
                    + " header the protocols use, a forwarded header, or one in the route file's cors.allowedHeaders)"));
        }
        HttpHeaders responseHeaders = exchange.getResponse().getHeaders();
        allow(responseHeaders, rules, allowedOrigin);
        responseHeaders.set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS,
                String.join(", ", methods.stream().map(HttpMethod::name).toList()));
        if (!headers.isEmpty()) {
            responseHeaders.set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", headers));
        }
        responseHeaders.set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, rules.maxAgeSeconds());
        exchange.getResponse().setStatusCode(HttpStatus.NO_CONTENT);
        return exchange.getResponse().setComplete();
    }

    private static void allow(HttpHeaders responseHeaders, Compiled rules, String allowedOrigin) {
        responseHeaders.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, allowedOrigin);
        if (Boolean.TRUE.equals(rules.configuration().getAllowCredentials())) {
            responseHeaders.set(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
    }

    private static String firstMissing(List<String> asked, List<String> allowed) {
        for (String header : asked) {
            if (!header.isBlank() && (allowed == null
                    || allowed.stream().noneMatch(a -> a.equalsIgnoreCase(header.trim())))) {
                return header.trim();
            }
        }
        return null;
    }

    private Compiled compile(CorsPolicy policy) {
        CorsConfiguration configuration = new CorsConfiguration();
        List<String> exact = new ArrayList<>();
        List<String> patterns = new ArrayList<>();
        for (String origin : policy.allowedOrigins()) {
            if (origin.equals("*") || !origin.contains("*")) {
                exact.add(origin);
            } else {
                // Spring writes a port wildcard as [*]; the route file as *.
                patterns.add(origin.endsWith(":*") ? origin.substring(0, origin.length() - 1) + "[*]" : origin);
            }
        }
        configuration.setAllowedOrigins(exact);
        configuration.setAllowedOriginPatterns(patterns);
        configuration.setAllowedMethods(policy.allowedMethods());
        List<String> headers = new ArrayList<>(builtInAllowedHeaders);
        headers.addAll(policy.allowedHeaders());
        configuration.setAllowedHeaders(policy.allowedHeaders().contains("*") ? List.of("*") : headers);
        configuration.setAllowCredentials(policy.allowCredentials());
        Set<String> exposed = new LinkedHashSet<>(CorsPolicy.BUILT_IN_EXPOSED_HEADERS);
        exposed.addAll(policy.exposedHeaders());
        return new Compiled(configuration, String.join(", ", exposed),
                Long.toString(policy.maxAge().toSeconds()));
    }
}
