package dev.torii.gateway.httprule;

/** Reports a request path whose percent-encoding cannot be decoded; the matcher answers it with {@link Match.BadPath}. */
final class MalformedPathException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    MalformedPathException(String message) {
        super(message, null, false, false);
    }
}
