package dev.torii.gateway.traffic;

import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.v1.Principal;
import dev.torii.authority.v1.PrincipalType;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.observe.GatewayMetrics;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.TrafficPolicy;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Applies the route's rate limit: one token bucket per route and key value (the caller, the
 * client's address, the route itself, or a header), told on every response of the route in the
 * rate-limit headers, and 429 with {@code Retry-After} and a {@code google.rpc.RetryInfo} detail
 * when the bucket is empty.
 *
 * <p>The headers follow draft-ietf-httpapi-ratelimit-headers by default. A bucket is one quota
 * policy named after the method: {@code RateLimit-Policy: "pkg.Service/Method";q=<burst>;w=<s>}
 * with {@code w} the seconds an empty bucket takes to fill (so {@code q/w} is the rate), and
 * {@code RateLimit: "pkg.Service/Method";r=<tokens left>;t=<s>} with {@code t} the seconds until
 * more quota comes (on a 429, the {@code Retry-After}, as the draft asks). Quota units are tokens:
 * one per request unless the route gives a cost. The draft -06 trio
 * ({@code RateLimit-Limit/-Remaining/-Reset}) is sent instead or as well when configured.
 */
public final class RateLimitFilter implements GatewayFilter {

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    private final RateLimiter limiter;
    private final ClientAddressResolver clientAddresses;
    private final GatewayMetrics metrics;
    private final RateLimitHeaders headers;

    /**
     * Creates the filter.
     *
     * @param limiter keeps the buckets
     * @param clientAddresses works out client addresses
     * @param metrics counts the decisions
     * @param headers which rate-limit headers to send
     */
    public RateLimitFilter(RateLimiter limiter, ClientAddressResolver clientAddresses, GatewayMetrics metrics,
            RateLimitHeaders headers) {
        this.limiter = limiter;
        this.clientAddresses = clientAddresses;
        this.metrics = metrics;
        this.headers = headers;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        GatewayExchange state = GatewayExchange.of(exchange);
        MethodRoute route = state.route();
        Optional<TrafficPolicy.RateLimit> limit = route.traffic().rateLimit();
        if (limit.isEmpty()) {
            return chain.filter(exchange);
        }
        String value = keyValue(exchange, state, limit.get().key());
        if (value == null) {
            return chain.filter(exchange);
        }
        String bucket = route.path() + "|" + limit.get().key().describe() + "|" + value;
        return limiter.acquire(bucket, limit.get()).flatMap(decision -> {
            writeHeaders(exchange.getResponse().getHeaders(), route, limit.get(), decision);
            metrics.rateLimit(route.path(), decision.allowed(), limiter.store());
            if (decision.allowed()) {
                return chain.filter(exchange);
            }
            return Mono.error(GatewayError.of(Status.Code.RESOURCE_EXHAUSTED, "rate limit of "
                    + route.serviceName() + "/" + route.methodName() + " reached for this "
                    + limit.get().key().describe() + "; retry after " + decision.retryAfterSeconds() + "s")
                    .retryAfter(decision.retryAfterSeconds()));
        });
    }

    private void writeHeaders(HttpHeaders response, MethodRoute route, TrafficPolicy.RateLimit limit,
            RateLimitDecision decision) {
        if (headers.draft()) {
            // A structured-field string: the route path is printable ASCII without quotes or backslashes.
            String policy = "\"" + route.serviceName() + "/" + route.methodName() + "\"";
            response.set("RateLimit-Policy", policy + ";q=" + decision.limit() + ";w=" + windowSeconds(limit));
            response.set("RateLimit", policy + ";r=" + decision.remaining()
                    + (decision.nextSeconds() > 0 ? ";t=" + decision.nextSeconds() : ""));
        }
        if (headers.legacy()) {
            response.set("RateLimit-Limit", Long.toString(decision.limit()));
            response.set("RateLimit-Remaining", Long.toString(decision.remaining()));
            response.set("RateLimit-Reset", Long.toString(decision.resetSeconds()));
        }
    }

    // The seconds an empty bucket takes to fill: the window over which the burst is the quota.
    private static long windowSeconds(TrafficPolicy.RateLimit limit) {
        return Math.max(1, (long) Math.ceil(limit.burst() / (limit.tokensPerNano() * 1e9)));
    }

    // The bucket's key value, or null when the limit does not apply to this request.
    private String keyValue(ServerWebExchange exchange, GatewayExchange state, TrafficPolicy.RateLimitKey key) {
        ExchangeTokenResponse identity = state.identity();
        Principal principal = identity == null ? null : identity.getPrincipal();
        return switch (key.kind()) {
            case PRINCIPAL -> principal == null ? null : principalKey(principal);
            case USER -> principal != null && principal.getType() == PrincipalType.PRINCIPAL_TYPE_USER
                    ? principalKey(principal) : null;
            case SERVICE_ACCOUNT -> principal != null && principal.getType() == PrincipalType.PRINCIPAL_TYPE_SERVICE_ACCOUNT
                    ? principalKey(principal) : null;
            case CLIENT_IP -> clientAddresses.resolve(exchange.getRequest());
            case ROUTE -> "*";
            case HEADER -> {
                String header = exchange.getRequest().getHeaders().getFirst(key.header());
                yield header == null ? "-" : safe(header);
            }
        };
    }

    private static String principalKey(Principal principal) {
        return (principal.getType() == PrincipalType.PRINCIPAL_TYPE_USER ? "u:" : "sa:") + safe(principal.getId());
    }

    // Short, plain values go into the key as they are; anything else is hashed, so a client
    // cannot make keys long or inject braces that would move the Redis Cluster hash slot.
    private static String safe(String value) {
        if (value.length() <= 64 && value.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '@' || c == ':')) {
            return value;
        }
        MessageDigest digest = SHA_256.get();
        digest.reset();
        return "h:" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
