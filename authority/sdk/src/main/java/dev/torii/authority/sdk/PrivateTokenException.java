package dev.torii.authority.sdk;

/**
 * Signals that a private token was judged and refused: malformed, oversize, signed by a key or an
 * algorithm the Authority does not use, expired, not yet valid, issued by someone else, or meant
 * for another audience.
 *
 * <p>The message says why, and never contains the token: it is safe to log and to return to the
 * caller (a gRPC status description, an HTTP {@code WWW-Authenticate} error description). Values
 * read from the token, such as a {@code kid} or an {@code iss}, are quoted, escaped and truncated.
 *
 * <p>A token that could not be judged at all because the JWKS was unreachable raises
 * {@link JwksUnavailableException} instead, which deliberately is not a subclass: the caller
 * should answer "try again later", not "your credential is bad".
 */
public final class PrivateTokenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    PrivateTokenException(String message) {
        super(message);
    }

    PrivateTokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
