package dev.torii.authority.exchange;

import dev.torii.authority.jwks.WellKnownEndpoints;
import dev.torii.authority.v1.CredentialType;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.verify.CredentialNotAllowedException;
import dev.torii.authority.verify.CredentialRejectedException;
import dev.torii.authority.verify.VerifierUnavailableException;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Serves RFC 8693 token exchange over HTTP ({@code POST /oauth2/token}), the same exchange as
 * the gRPC contract, answering errors as RFC 6749 section 5.2 bodies.
 *
 * <p>The body is read by this endpoint, not by Spring's form reader, so that every oversize or
 * malformed request gets an RFC 6749 answer: 413 for a body over the size limit (refused from
 * its {@code Content-Length} before it is read, or as soon as it grows past the limit), 400 for
 * anything else.
 */
@RestController
public final class TokenExchangeEndpoint {

    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";

    /** Parameters RFC 6749 section 3.2 says must not be given more than once. */
    private static final List<String> SINGLE_PARAMETERS = List.of("grant_type", "subject_token",
            "subject_token_type", "requested_token_type", "actor_token", "actor_token_type", "scope");

    /** How much of a client's value an error description repeats. */
    private static final int MAX_QUOTED_CHARS = 64;

    private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

    private final TokenExchanger exchanger;
    private final Clock clock;
    private final int maxFormBytes;

    /**
     * Creates the endpoint.
     *
     * @param exchanger exchanges credentials, and limits their length
     * @param clock the time source, for {@code expires_in}
     * @param maxFormBytes the largest request body read; a larger one is answered 413
     */
    public TokenExchangeEndpoint(TokenExchanger exchanger, Clock clock, int maxFormBytes) {
        if (maxFormBytes < 1) {
            throw new IllegalArgumentException("maxFormBytes: " + maxFormBytes + " (expected: > 0)");
        }
        this.exchanger = exchanger;
        this.clock = clock;
        this.maxFormBytes = maxFormBytes;
    }

    /**
     * Exchanges a subject token for a private token.
     *
     * @param exchange the HTTP exchange, with a form-encoded body
     * @return the RFC 8693 answer or an RFC 6749 error: 413 for a body over the size limit, 400
     *     for a malformed form, a parameter given twice or a subject token over its length limit
     */
    @PostMapping(path = WellKnownEndpoints.TOKEN_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> token(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        MediaType contentType;
        try {
            contentType = request.getHeaders().getContentType();
        } catch (InvalidMediaTypeException e) {
            contentType = null;
        }
        if (contentType == null || !MediaType.APPLICATION_FORM_URLENCODED.isCompatibleWith(contentType)) {
            return Mono.just(error(HttpStatus.BAD_REQUEST, "invalid_request",
                    "Content-Type must be application/x-www-form-urlencoded"));
        }
        // A declared length over the limit is refused before a byte of the body is read.
        long declared = request.getHeaders().getContentLength();
        if (declared > maxFormBytes) {
            return Mono.just(tooLarge("is " + declared + " bytes"));
        }
        return DataBufferUtils.join(request.getBody(), maxFormBytes)
                .map(TokenExchangeEndpoint::bytes)
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> {
                    Map<String, List<String>> form;
                    try {
                        form = TokenRequestForm.parse(body);
                    } catch (InvalidExchangeRequestException e) {
                        return Mono.just(error(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage()));
                    }
                    return exchange(form);
                })
                .onErrorResume(DataBufferLimitException.class, e -> Mono.just(tooLarge("is larger")));
    }

    private Mono<ResponseEntity<Map<String, Object>>> exchange(Map<String, List<String>> form) {
        String problem = problem(form);
        if (problem != null) {
            String code = problem.startsWith("grant_type:") ? "unsupported_grant_type" : "invalid_request";
            return Mono.just(error(HttpStatus.BAD_REQUEST, code, problem));
        }
        CredentialType type = ACCESS_TOKEN_TYPE.equals(first(form, "subject_token_type"))
                ? CredentialType.CREDENTIAL_TYPE_ACCESS_TOKEN : CredentialType.CREDENTIAL_TYPE_UNSPECIFIED;
        // WebFlux keeps the request's observation in the Reactor context; the exchanger reads thread-locals.
        return Mono.deferContextual(context -> {
                    ContextSnapshot.Scope scope = SNAPSHOTS.setThreadLocalsFrom(context);
                    try {
                        // Cancel suppressed: a client that hangs up must not cancel an exchange others share.
                        return Mono.fromFuture(exchanger.exchange(first(form, "subject_token"), type,
                                first(form, "audience")), true);
                    } finally {
                        scope.close();
                    }
                })
                .map(this::success)
                .onErrorResume(failure -> Mono.just(failure(TokenExchanger.unwrap(failure))));
    }

    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private ResponseEntity<Map<String, Object>> tooLarge(String size) {
        return error(HttpStatus.CONTENT_TOO_LARGE, "invalid_request", "request body " + size
                + " (expected: at most " + maxFormBytes + " bytes of form parameters)");
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String problem(Map<String, List<String>> form) {
        for (String name : SINGLE_PARAMETERS) {
            List<String> values = form.get(name);
            if (values != null && values.size() > 1) {
                return name + " is given " + values.size() + " times (expected: at most once, RFC 6749 section 3.2)";
            }
        }
        String grantType = first(form, "grant_type");
        if (grantType == null) {
            return "grant_type is missing (expected: " + WellKnownEndpoints.TokenExchangeGrant.GRANT_TYPE + ")";
        }
        if (!WellKnownEndpoints.TokenExchangeGrant.GRANT_TYPE.equals(grantType)) {
            return "grant_type: " + quote(grantType) + " (expected: "
                    + WellKnownEndpoints.TokenExchangeGrant.GRANT_TYPE + ")";
        }
        if (first(form, "subject_token") == null) {
            return "subject_token is missing";
        }
        String subjectType = first(form, "subject_token_type");
        if (!List.of(ACCESS_TOKEN_TYPE, JWT_TYPE, ID_TOKEN_TYPE).contains(subjectType)) {
            return "subject_token_type: " + quote(subjectType) + " (expected: " + ACCESS_TOKEN_TYPE + ", " + JWT_TYPE
                    + " or " + ID_TOKEN_TYPE + ")";
        }
        List<String> audiences = form.get("audience");
        if (audiences == null || audiences.size() != 1) {
            return "audience must be given exactly once (expected: the one backend service the token is for)";
        }
        String requested = first(form, "requested_token_type");
        if (requested != null && !requested.equals(JWT_TYPE) && !requested.equals(ACCESS_TOKEN_TYPE)) {
            return "requested_token_type: " + quote(requested) + " (expected: " + JWT_TYPE + ")";
        }
        if (form.containsKey("actor_token")) {
            return "actor_token is not supported (delegation is not offered)";
        }
        return null;
    }

    /** Repeats a client's value in a message, cut short: the answer must not echo a large body back. */
    private static String quote(String value) {
        if (value == null) {
            return "absent";
        }
        return "'" + (value.length() > MAX_QUOTED_CHARS ? value.substring(0, MAX_QUOTED_CHARS) + "..." : value) + "'";
    }

    private ResponseEntity<Map<String, Object>> success(ExchangeTokenResponse response) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", response.getPrivateToken());
        body.put("issued_token_type", JWT_TYPE);
        body.put("token_type", "Bearer");
        Instant expires = Instant.ofEpochSecond(response.getExpireTime().getSeconds());
        body.put("expires_in", Math.max(0, Duration.between(clock.instant(), expires).toSeconds()));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).header("Pragma", "no-cache").body(body);
    }

    private static ResponseEntity<Map<String, Object>> failure(Throwable failure) {
        if (failure instanceof InvalidExchangeRequestException) {
            return error(HttpStatus.BAD_REQUEST, "invalid_request", failure.getMessage());
        }
        if (failure instanceof AudienceNotAllowedException) {
            return error(HttpStatus.BAD_REQUEST, "invalid_target", failure.getMessage());
        }
        if (failure instanceof CredentialRejectedException || failure instanceof CredentialNotAllowedException) {
            return error(HttpStatus.BAD_REQUEST, "invalid_grant", failure.getMessage());
        }
        if (failure instanceof VerifierUnavailableException) {
            return error(HttpStatus.SERVICE_UNAVAILABLE, "temporarily_unavailable", failure.getMessage());
        }
        AuthorityGrpcService.status(failure);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", "internal Authority error");
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("error_description", description);
        return ResponseEntity.status(status).cacheControl(CacheControl.noStore()).body(body);
    }
}
