package dev.torii.gateway.httprule;

/**
 * Reports a {@code google.api.http} rule that cannot serve its method: a malformed template, a
 * field that the method's messages do not have or that a path cannot carry, a body where HTTP
 * forbids one. The message names the method and the problem.
 */
public final class InvalidHttpRuleException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidHttpRuleException(String message) {
        super(message);
    }

    InvalidHttpRuleException(String message, Throwable cause) {
        super(message, cause);
    }
}
