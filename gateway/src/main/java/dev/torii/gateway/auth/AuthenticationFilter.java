package dev.torii.gateway.auth;

import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.observe.GatewayTracing;
import dev.torii.gateway.route.MethodRoute;
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
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Authenticates a request by its route's policy, as a pipeline: extract the bearer credential,
 * exchange it at the Authority for a private token scoped to the route's audience (cached),
 * decide whether the principal may call, and attach the private token for the upstream call.
 * Public routes skip every step.
 */
public final class AuthenticationFilter implements GatewayFilter {

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
        GatewayExchange state = GatewayExchange.of(exchange);
        MethodRoute route = state.route();
        if (route.auth().isPublic()) {
            return chain.filter(exchange);
        }
        Optional<String> credential = BearerCredentialExtractor.extract(exchange.getRequest().getHeaders());
        if (credential.isEmpty()) {
            return Mono.error(AuthErrors.missingCredential());
        }
        Deadline deadline = state.deadline();
        CompletableFuture<ExchangeTokenResponse> answer = tokens.get(credential.get(), route.audience(), deadline, () -> {
                    Metadata headers = new Metadata();
                    tracing.propagate(state.span(), headers);
                    return headers;
                });
        // A cache hit is already complete: carry on without subscribing to a future.
        if (answer.isDone() && !answer.isCompletedExceptionally()) {
            return admit(exchange, chain, state, answer.join());
        }
        return Mono.fromFuture(answer, true)
                .onErrorMap(failure -> translate(state, deadline, failure))
                .flatMap(response -> admit(exchange, chain, state, response));
    }

    private static Mono<Void> admit(ServerWebExchange exchange, GatewayFilterChain chain, GatewayExchange state,
            ExchangeTokenResponse response) {
        GatewayError denied = AccessDecision.check(state.route(), response.getPrincipal());
        if (denied != null) {
            return Mono.error(denied);
        }
        state.identity(response);
        return chain.filter(exchange);
    }

    private static Throwable translate(GatewayExchange state, Deadline deadline, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (!(cause instanceof StatusRuntimeException status)) {
            return cause;
        }
        String description = status.getStatus().getDescription() == null ? "" : status.getStatus().getDescription();
        return switch (status.getStatus().getCode()) {
            case UNAUTHENTICATED, INVALID_ARGUMENT -> AuthErrors.invalidToken(description);
            case PERMISSION_DENIED -> AuthErrors.forbidden(description.isEmpty() ? "not allowed" : description);
            case DEADLINE_EXCEEDED -> deadline.isExpired() ? AuthErrors.deadlineExceeded() : unavailable(state, status);
            default -> unavailable(state, status);
        };
    }

    private static GatewayError unavailable(GatewayExchange state, StatusRuntimeException status) {
        log.warn("Authority could not exchange a credential (request id {}): {}", state.requestId(),
                status.getStatus());
        return AuthErrors.authorityUnavailable();
    }
}
