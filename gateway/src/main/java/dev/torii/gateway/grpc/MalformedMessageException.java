package dev.torii.gateway.grpc;

/**
 * Reports bytes that are not the message type they were declared to be: a malformed JSON body, or
 * an upstream answer that does not parse as the method's output type. The caller knows which
 * side is at fault and answers accordingly (400 for a request, 502 for an answer).
 */
public final class MalformedMessageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and what was expected
     */
    public MalformedMessageException(String message) {
        super(message, null, false, false);
    }
}
