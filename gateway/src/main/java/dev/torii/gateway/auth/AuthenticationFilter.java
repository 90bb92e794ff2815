package dev.torii.gateway.auth;

import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.gateway.config.FilterOrder;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.observe.GatewayTracing;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.edge.RouteMatchFilter;
import dev.torii.gateway.edge.DeadlineFilter;
import dev.torii.gateway.edge.RequestIdFilter;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Authenticates a request by its route's policy, as a pipeline: extract the bearer credential,
 * exchange it at the Authority for a private token scoped to the route's audience (cached),
 * decide whether the principal may call, and attach the private token for the upstream call.
 * Public routes skip every step.
 */
public final class AuthenticationFilter implements GatewayFilter, Ordered {

    /** Exchange attribute holding the Authority's answer for an authenticated request. */
    public static final String ATTRIBUTE = "torii.exchange";

    private static final Logger log = LoggerFactory.getLogger(AuthenticationFilter.class);

    private final PrivateTokenCache tokens;
    private final GatewayTracing tracing;

    /**
     * Creates the filter.
     *
     * @param tokens exchanges credentials, with a cache
     * @param tracing carries the request's trace context to the Authority
     */
    public AuthenticationFilter(PrivateTokenCache tokens, GatewayTracing tracing) {
        this.tokens = tokens;
        this.tracing = tracing;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        MethodRoute route = exchange.getRequiredAttribute(RouteMatchFilter.ATTRIBUTE);
        if (route.auth().isPublic()) {
            return chain.filter(exchange);
        }
        Optional<String> credential = BearerCredentialExtractor.extract(exchange.getRequest().getHeaders());
        if (credential.isEmpty()) {
            return Mono.error(AuthErrors.missingCredential());
        }
        Deadline deadline = exchange.getRequiredAttribute(DeadlineFilter.ATTRIBUTE);
        CompletableFuture<ExchangeTokenResponse> answer = tokens.get(credential.get(),
                CredentialShape.classify(credential.get()), route.audience(), deadline, () -> {
                    Metadata headers = new Metadata();
                    tracing.propagate(exchange, headers);
                    return headers;
                });
        // A cache hit is already complete: carry on without subscribing to a future.
        if (answer.isDone() && !answer.isCompletedExceptionally()) {
            return admit(exchange, chain, route, answer.join());
        }
        return Mono.fromFuture(answer, true)
                .onErrorMap(failure -> translate(exchange, deadline, failure))
                .flatMap(response -> admit(exchange, chain, route, response));
    }

    private static Mono<Void> admit(ServerWebExchange exchange, GatewayFilterChain chain, MethodRoute route,
            ExchangeTokenResponse response) {
        GatewayError denied = AccessDecision.check(route, response.getPrincipal());
        if (denied != null) {
            return Mono.error(denied);
        }
        exchange.getAttributes().put(ATTRIBUTE, response);
        return chain.filter(exchange);
    }

    private static Throwable translate(ServerWebExchange exchange, Deadline deadline, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (!(cause instanceof StatusRuntimeException status)) {
            return cause;
        }
        String description = status.getStatus().getDescription() == null ? "" : status.getStatus().getDescription();
        return switch (status.getStatus().getCode()) {
            case UNAUTHENTICATED, INVALID_ARGUMENT -> AuthErrors.invalidToken(description);
            case PERMISSION_DENIED -> AuthErrors.forbidden(description.isEmpty() ? "not allowed" : description);
            case DEADLINE_EXCEEDED -> deadline.isExpired() ? AuthErrors.deadlineExceeded() : unavailable(exchange, status);
            default -> unavailable(exchange, status);
        };
    }

    private static GatewayError unavailable(ServerWebExchange exchange, StatusRuntimeException status) {
        log.warn("Authority could not exchange a credential (request id {}): {}", RequestIdFilter.requestId(exchange),
                status.getStatus());
        return AuthErrors.authorityUnavailable();
    }

    @Override
    public int getOrder() {
        return FilterOrder.AUTHENTICATE;
    }
}
