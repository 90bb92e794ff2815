package dev.torii.authority.verify;

/**
 * Reports a valid credential whose holder may not have a private token, such as a service
 * account missing from the allow-list. Becomes PERMISSION_DENIED.
 */
public final class CredentialNotAllowedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason why, without the credential itself
     */
    public CredentialNotAllowedException(String reason) {
        super(reason, null, false, false);
    }
}
