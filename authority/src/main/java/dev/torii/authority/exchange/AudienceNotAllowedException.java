package dev.torii.authority.exchange;

/**
 * Reports an audience the Authority does not mint tokens for. Becomes PERMISSION_DENIED (gRPC)
 * or {@code invalid_target} (RFC 8693).
 */
public final class AudienceNotAllowedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason which audience and what was expected
     */
    public AudienceNotAllowedException(String reason) {
        super(reason, null, false, false);
    }
}
