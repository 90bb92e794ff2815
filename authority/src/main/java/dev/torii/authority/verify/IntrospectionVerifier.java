package dev.torii.authority.verify;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Verifies a user's access token by asking the identity provider (RFC 7662 token introspection),
 * which works for opaque and JWT access tokens alike and sees revocations at once.
 *
 * <p>Only an answer from the identity provider about the token itself rejects it: {@code
 * "active": false}, an {@code exp} in the past, or an active token without a user id. Everything
 * else (no connection, timeout, any status but 200, a body that is not an introspection
 * response) means the token could not be checked now and becomes {@link
 * VerifierUnavailableException}, because the token may be perfectly good. That includes HTTP 400:
 * RFC 7662 section 2.2 answers a bad token with 200 and {@code "active": false}, so a 400 says the
 * Authority's request was wrong (RFC 6749 section 5.2), not the user's token.
 */
public final class IntrospectionVerifier implements CredentialVerifier {

    /** The largest introspection response read; real ones are well under a kilobyte. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(IntrospectionVerifier.class);

    private final URI endpoint;
    private final String authorization;
    private final String userIdClaim;
    private final Clock clock;
    private final BoundedHttp http;

    /**
     * Creates the verifier.
     *
     * @param settings the endpoint, client credentials, timeout and user id member; endpoint,
     *     client id and client secret must be present
     * @param clock decides whether {@code exp} has passed
     * @param executor runs response handling; the HTTP call itself is asynchronous and blocks no
     *     thread
     * @param webClient the builder of the HTTP client (Spring Boot's, so calls are observed)
     * @throws IllegalArgumentException when a setting is missing or out of range
     */
    public IntrospectionVerifier(IntrospectionSettings settings, Clock clock, Executor executor,
            WebClient.Builder webClient) {
        Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(executor, "executor");
        this.endpoint = settings.endpoint().orElseThrow(() -> new IllegalArgumentException(
                "endpoint: absent (expected: the identity provider's RFC 7662 introspection URL)"));
        String scheme = endpoint.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("endpoint: '" + endpoint + "' (expected: an http or https URL)");
        }
        String clientId = settings.clientId().filter(id -> !id.isBlank()).orElseThrow(() ->
                new IllegalArgumentException("clientId: absent (expected: the Authority's client id at the"
                        + " identity provider)"));
        String clientSecret = settings.clientSecret().filter(secret -> !secret.isEmpty()).orElseThrow(() ->
                new IllegalArgumentException("clientSecret: absent (expected: the Authority's client secret at the"
                        + " identity provider)"));
        Duration timeout = Objects.requireNonNull(settings.timeout(), "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.userIdClaim = settings.userIdClaim();
        if (userIdClaim == null || userIdClaim.isBlank()) {
            throw new IllegalArgumentException("userIdClaim: '" + userIdClaim
                    + "' (expected: the name of the response member holding the user id, such as sub)");
        }
        this.authorization = basicAuthorization(clientId, clientSecret);
        this.http = new BoundedHttp(Objects.requireNonNull(webClient, "webClient"), timeout, executor);
    }

    /**
     * Builds the HTTP Basic header of RFC 6749 section 2.3.1, which form-encodes id and secret
     * before joining them, so a secret containing ':' or non-ASCII characters survives.
     */
    private static String basicAuthorization(String clientId, String clientSecret) {
        String pair = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Introspects the access token at the identity provider.
     *
     * @param credential the access token
     * @return the user, or one of the failures {@link CredentialVerifier} documents
     */
    @Override
    public CompletableFuture<VerifiedSubject> verify(String credential) {
        CompletableFuture<VerifiedSubject> outcome;
        try {
            CredentialChecks.requireWellFormed(credential);
            outcome = http.postForm(endpoint, authorization,
                    "token=" + URLEncoder.encode(credential, StandardCharsets.UTF_8) + "&token_type_hint=access_token",
                    MAX_RESPONSE_BYTES, "introspection endpoint " + endpoint, this::readResponse);
        } catch (CredentialRejectedException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        return VerifierFailures.settle(outcome, name(), credential, log);
    }

    /**
     * Names this verifier {@code introspection}.
     *
     * @return {@code introspection}
     */
    @Override
    public String name() {
        return "introspection";
    }

    private VerifiedSubject readResponse(BoundedHttp.Response response) {
        int status = response.statusCode();
        if (status != 200) {
            throw unexpectedStatus(status, response.body());
        }
        Map<String, Object> json;
        try {
            json = StrictJson.parseObject(new String(response.body(), StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw garbled("the body is not a JSON object (expected: an RFC 7662 introspection response)");
        }
        Object active = json.get("active");
        if (!(active instanceof Boolean)) {
            throw garbled("member 'active': " + CredentialChecks.quote(active) + " (expected: true or false)");
        }
        if (!(Boolean) active) {
            throw new CredentialRejectedException("the identity provider reports the token inactive (expected:"
                    + " an active access token; it may be expired, revoked or unknown)");
        }
        String userId = userId(json.get(userIdClaim));
        List<String> scopes = scopes(json.get("scope"));
        Optional<Instant> expiresAt = expiresAt(json.get("exp"));
        Instant now = clock.instant();
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(now)) {
            throw new CredentialRejectedException("exp: " + expiresAt.get() + " (expected: after now, " + now + ")");
        }
        return VerifiedSubject.user(userId, scopes, expiresAt);
    }

    private RuntimeException unexpectedStatus(int status, byte[] body) {
        String error = errorCode(body);
        if (status == 401 || status == 403 || "invalid_client".equals(error)) {
            // Our own client credentials are wrong or lack the right to introspect: no user token can be checked.
            return new VerifierUnavailableException("introspection endpoint " + endpoint
                    + " refused the Authority's client credentials (HTTP " + status
                    + (error == null ? "" : ", error " + CredentialChecks.quote(error))
                    + "; expected: 200; check the introspection clientId and clientSecret)", null);
        }
        return new VerifierUnavailableException("introspection endpoint " + endpoint + " answered HTTP " + status
                + (error == null ? "" : " with error " + CredentialChecks.quote(error))
                + " (expected: 200 with an RFC 7662 introspection response)", null);
    }

    /** Reads the RFC 6749 {@code error} code of an error response, if it has one. */
    private static String errorCode(byte[] body) {
        try {
            Object error = StrictJson.parseObject(new String(body, StandardCharsets.UTF_8)).get("error");
            return error instanceof String code ? code : null;
        } catch (ParseException e) {
            return null;
        }
    }

    private String userId(Object value) {
        if (value instanceof String id && !id.isBlank()) {
            return id;
        }
        if (value instanceof Long || value instanceof Integer) {
            return value.toString();
        }
        // An active token without a user id is not a user's token (a client-credentials token, say).
        throw new CredentialRejectedException("member '" + userIdClaim + "': " + CredentialChecks.quote(value)
                + " (expected: the user id of an active user access token)");
    }

    private List<String> scopes(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String scope) {
            return Arrays.stream(scope.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        }
        throw garbled("member 'scope': " + CredentialChecks.quote(value) + " (expected: a space-separated string)");
    }

    private Optional<Instant> expiresAt(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Number seconds) {
            try {
                return Optional.of(Instant.ofEpochSecond(seconds.longValue()));
            } catch (DateTimeException e) {
                throw garbled("member 'exp': " + CredentialChecks.quote(value)
                        + " (expected: seconds since the epoch)");
            }
        }
        throw garbled("member 'exp': " + CredentialChecks.quote(value) + " (expected: seconds since the epoch)");
    }

    private VerifierUnavailableException garbled(String problem) {
        return new VerifierUnavailableException("introspection endpoint " + endpoint + " answered 200 but " + problem,
                null);
    }
}
