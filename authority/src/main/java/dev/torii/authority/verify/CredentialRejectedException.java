package dev.torii.authority.verify;

/**
 * Reports a bad credential: malformed, expired, not yet valid, revoked, wrongly signed, issued by
 * someone else or for someone else. Becomes UNAUTHENTICATED; may be cached briefly.
 */
public final class CredentialRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason why, without the credential itself
     */
    public CredentialRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
