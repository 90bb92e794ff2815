package dev.torii.gateway.httprule;

/** Reports a request path whose percent-encoding cannot be decoded; the matcher answers it as a bad path (400), not a miss. */
final class MalformedPathException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    MalformedPathException(String message) {
        super(message, null, false, false);
    }
}
