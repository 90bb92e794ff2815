package dev.torii.authority.exchange;

/**
 * Reports a malformed exchange request: no credential, no audience, an oversize credential.
 * Becomes INVALID_ARGUMENT (gRPC) or {@code invalid_request} (RFC 8693).
 */
public final class InvalidExchangeRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason what is wrong with the request
     */
    public InvalidExchangeRequestException(String reason) {
        super(reason, null, false, false);
    }
}
