package dev.torii.gateway.auth;

import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;

/**
 * Finds the client's credential in {@code Authorization: Bearer <token>}, the one place both user
 * access tokens and Google service-account JWTs travel. The first step of the auth pipeline.
 */
final class BearerCredentialExtractor {

    /** The longest credential accepted, before anything else looks at it. */
    static final int MAX_LENGTH = 16 * 1024;
    private static final String SCHEME = "bearer ";

    private BearerCredentialExtractor() {}

    /**
     * Returns the bearer credential of a request.
     *
     * @param headers the request headers
     * @return the credential; empty when the request carries no {@code Authorization} header
     * @throws dev.torii.gateway.error.GatewayError 401 when the header is there but unusable
     */
    static Optional<String> extract(HttpHeaders headers) {
        List<String> values = headers.get(HttpHeaders.AUTHORIZATION);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw AuthErrors.invalidRequest("more than one Authorization header (expected: one Bearer credential)");
        }
        String value = values.get(0).trim();
        if (value.length() <= SCHEME.length() || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            int space = value.indexOf(' ');
            String scheme = space < 0 ? value : value.substring(0, space);
            throw AuthErrors.invalidRequest("Authorization scheme '" + (scheme.length() > 20 ? scheme.substring(0, 20) : scheme)
                    + "' (expected: Bearer <credential>)");
        }
        String token = value.substring(SCHEME.length()).trim();
        if (token.length() > MAX_LENGTH) {
            throw AuthErrors.invalidToken("credential is " + token.length() + " characters long (expected: at most "
                    + MAX_LENGTH + ")");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw AuthErrors.invalidToken("credential contains a space or a non-ASCII character");
            }
        }
        return Optional.of(token);
    }
}
