package dev.torii.gateway.httprule;

/**
 * Reports a REST request that cannot become the method's request message: a path variable, query
 * parameter or body that does not fit its field, or a request beyond the binder's limits. The
 * gateway answers it with {@code INVALID_ARGUMENT} (HTTP 400) and a {@code google.rpc.BadRequest}
 * field violation for {@link #fieldPath()}.
 */
public final class BindingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String fieldPath;

    /**
     * Creates the exception.
     *
     * @param fieldPath the field at fault in proto names ({@code "book.publish_time"}), or the query
     *     parameter or body path as the client wrote it; empty when the request as a whole is at fault
     * @param message what was wrong and what was expected
     */
    public BindingException(String fieldPath, String message) {
        super(message);
        this.fieldPath = fieldPath;
    }

    /**
     * Returns the field the violation is about, for {@code google.rpc.BadRequest.FieldViolation.field}.
     *
     * @return a dotted field path, or empty when the request as a whole is at fault
     */
    public String fieldPath() {
        return fieldPath;
    }
}
