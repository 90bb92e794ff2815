package dev.torii.authority.sdk;

import java.net.URI;

/**
 * Signals that a private token could not be judged because the Authority's JWKS could not be
 * fetched (connection refused, timeout, HTTP error, unparsable body) and no usable copy was
 * cached.
 *
 * <p>The token may well be good: callers should answer with a retryable error (gRPC
 * {@code UNAVAILABLE}, HTTP 503) rather than reject the credential. The message names the JWKS
 * URI and the failure and never contains the token.
 */
public final class JwksUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The JWKS URI that could not be fetched. */
    private final URI jwksUri;

    JwksUnavailableException(URI jwksUri, String message, Throwable cause) {
        super(message, cause);
        this.jwksUri = jwksUri;
    }

    /**
     * Returns the JWKS URI that could not be fetched.
     *
     * @return the configured JWKS URI
     */
    public URI jwksUri() {
        return jwksUri;
    }
}
