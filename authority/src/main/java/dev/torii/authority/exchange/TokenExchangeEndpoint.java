package dev.torii.authority.exchange;

import dev.torii.authority.jwks.WellKnownEndpoints;
import dev.torii.authority.v1.CredentialType;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.verify.CredentialNotAllowedException;
import dev.torii.authority.verify.CredentialRejectedException;
import dev.torii.authority.verify.VerifierUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Serves RFC 8693 token exchange over HTTP ({@code POST /oauth2/token}), the same exchange as
 * the gRPC contract, answering errors as RFC 6749 section 5.2 bodies.
 */
@RestController
public final class TokenExchangeEndpoint {

    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";

    private final TokenExchanger exchanger;
    private final Clock clock;

    /**
     * Creates the endpoint.
     *
     * @param exchanger exchanges credentials
     * @param clock the time source, for {@code expires_in}
     */
    public TokenExchangeEndpoint(TokenExchanger exchanger, Clock clock) {
        this.exchanger = exchanger;
        this.clock = clock;
    }

    /**
     * Exchanges a subject token for a private token.
     *
     * @param exchange the HTTP exchange, with a form-encoded body
     * @return the RFC 8693 answer or an RFC 6749 error
     */
    @PostMapping(path = WellKnownEndpoints.TOKEN_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> token(ServerWebExchange exchange) {
        MediaType contentType = exchange.getRequest().getHeaders().getContentType();
        if (contentType == null || !MediaType.APPLICATION_FORM_URLENCODED.isCompatibleWith(contentType)) {
            return Mono.just(error(HttpStatus.BAD_REQUEST, "invalid_request",
                    "Content-Type must be application/x-www-form-urlencoded"));
        }
        return exchange.getFormData().flatMap(form -> {
            String problem = problem(form);
            if (problem != null) {
                String code = problem.startsWith("grant_type") ? "unsupported_grant_type" : "invalid_request";
                return Mono.just(error(HttpStatus.BAD_REQUEST, code, problem));
            }
            CredentialType type = ACCESS_TOKEN_TYPE.equals(form.getFirst("subject_token_type"))
                    ? CredentialType.CREDENTIAL_TYPE_ACCESS_TOKEN : CredentialType.CREDENTIAL_TYPE_UNSPECIFIED;
            return Mono.<ExchangeTokenResponse>fromFuture(() -> exchanger.exchange(form.getFirst("subject_token"), type, form.getFirst("audience")))
                    .map(this::success)
                    .onErrorResume(failure -> Mono.just(failure(TokenExchanger.unwrap(failure))));
        });
    }

    private static String problem(MultiValueMap<String, String> form) {
        if (!WellKnownEndpoints.TokenExchangeGrant.GRANT_TYPE.equals(form.getFirst("grant_type"))) {
            return "grant_type: '" + form.getFirst("grant_type") + "' (expected: "
                    + WellKnownEndpoints.TokenExchangeGrant.GRANT_TYPE + ")";
        }
        if (form.getFirst("subject_token") == null) {
            return "subject_token is missing";
        }
        String subjectType = form.getFirst("subject_token_type");
        if (!List.of(ACCESS_TOKEN_TYPE, JWT_TYPE, ID_TOKEN_TYPE).contains(subjectType)) {
            return "subject_token_type: '" + subjectType + "' (expected: " + ACCESS_TOKEN_TYPE + ", " + JWT_TYPE
                    + " or " + ID_TOKEN_TYPE + ")";
        }
        List<String> audiences = form.get("audience");
        if (audiences == null || audiences.size() != 1) {
            return "audience must be given exactly once (expected: the one backend service the token is for)";
        }
        String requested = form.getFirst("requested_token_type");
        if (requested != null && !requested.equals(JWT_TYPE) && !requested.equals(ACCESS_TOKEN_TYPE)) {
            return "requested_token_type: '" + requested + "' (expected: " + JWT_TYPE + ")";
        }
        if (form.containsKey("actor_token")) {
            return "actor_token is not supported (delegation is not offered)";
        }
        return null;
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
