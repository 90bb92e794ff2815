package dev.torii.authority.verify;

/**
 * Reports that a credential could not be checked now: the identity provider or a key endpoint
 * is unreachable, slow or answering errors. Becomes UNAVAILABLE and is never cached, because the
 * credential may be perfectly good.
 */
public final class VerifierUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason what could not be reached
     * @param cause the underlying failure, possibly null
     */
    public VerifierUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
