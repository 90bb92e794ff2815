package dev.torii.gateway.grpc;

import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Reports an upstream call that ended with a status other than OK, with the full status and
 * trailers (details included). No stack trace: this is an answer, not a bug.
 */
public final class UpstreamCallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Status status;
    private final transient Metadata trailers;

    /**
     * Creates the exception.
     *
     * @param status the status the call ended with
     * @param trailers the trailers it ended with
     */
    public UpstreamCallException(Status status, Metadata trailers) {
        super(status.toString(), status.getCause(), false, false);
        this.status = status;
        this.trailers = trailers;
    }

    /**
     * Returns the status the call ended with.
     *
     * @return the status
     */
    public Status status() {
        return status;
    }

    /**
     * Returns the trailers the call ended with.
     *
     * @return the trailers
     */
    public Metadata trailers() {
        return trailers;
    }

    /**
     * Tells whether the transport failed before the request reached the upstream (connection
     * refused, reset, DNS), as opposed to an answer of the upstream: grpc-java reports those as
     * UNAVAILABLE with the transport's exception as cause.
     *
     * @return whether the request was never delivered
     */
    public boolean unreachable() {
        return status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null;
    }
}
