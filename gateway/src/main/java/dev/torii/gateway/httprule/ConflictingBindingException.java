package dev.torii.gateway.httprule;

/**
 * Reports two bindings that the matcher could not tell apart: the same HTTP method and the same
 * template shape (segments and verb, whatever the variables are named), such as
 * {@code GET /v1/{id}} and {@code GET /v1/{name}}. The message names both.
 */
public final class ConflictingBindingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    ConflictingBindingException(HttpBinding existing, Object existingValue, HttpBinding added, Object addedValue) {
        super(added + " (" + addedValue + ") conflicts with " + existing + " (" + existingValue
                + "): same method and path shape " + added.template().shape()
                + " (expected: at most one binding per method and shape)");
    }
}
