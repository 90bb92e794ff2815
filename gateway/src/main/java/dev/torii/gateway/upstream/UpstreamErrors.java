package dev.torii.gateway.upstream;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.grpc.GrpcTimeout;
import dev.torii.gateway.grpc.UpstreamCallException;
import dev.torii.gateway.route.MethodRoute;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;

/**
 * Translates how an upstream call ended into the error the client gets: the upstream's status
 * with its details as it is, except where the gateway knows better.
 *
 * <table>
 *   <caption>Statuses the gateway rewrites</caption>
 *   <tr><th>upstream said</th><th>client gets</th></tr>
 *   <tr><td>DEADLINE_EXCEEDED after the request's deadline</td><td>DEADLINE_EXCEEDED naming the
 *       route's timeout</td></tr>
 *   <tr><td>INTERNAL "Invalid protobuf byte sequence" (grpc-java) or "grpc: error unmarshalling
 *       request" (grpc-go)</td><td>INVALID_ARGUMENT: the client's body did not parse</td></tr>
 * </table>
 */
public final class UpstreamErrors {

    private UpstreamErrors() {}

    /**
     * Translates a failed call.
     *
     * @param state the request's state
     * @param failure how the call ended
     * @return the error for the client
     */
    public static GatewayError translate(GatewayExchange state, UpstreamCallException failure) {
        Status status = failure.status();
        MethodRoute route = state.route();
        switch (status.getCode()) {
            case DEADLINE_EXCEEDED:
                if (state.deadline().isExpired()) {
                    return deadlineExceeded(state);
                }
                break;
            case INTERNAL:
                if (unparsableRequest(status)) {
                    return GatewayError.of(Status.Code.INVALID_ARGUMENT, "upstream could not parse the request body"
                            + " (expected: an encoded " + route.protoMethod().getInputType().getFullName() + ")");
                }
                break;
            default:
                break;
        }
        return GatewayError.of(StatusProto.fromStatusAndTrailers(status, failure.trailers()));
    }

    /**
     * Reports a request whose deadline passed, naming the timeout it had.
     *
     * @param state the request's state
     * @return the error
     */
    public static GatewayError deadlineExceeded(GatewayExchange state) {
        MethodRoute route = state.route();
        long timeout = state.timeoutNanos();
        return GatewayError.of(Status.Code.DEADLINE_EXCEEDED, route.serviceName() + "/" + route.methodName()
                + " did not answer within " + (timeout == 0 ? "its deadline" : GrpcTimeout.describe(timeout)));
    }

    // grpc-java and grpc-go answer INTERNAL when the request bytes do not parse; for the client
    // that is a bad request, not a server fault.
    private static boolean unparsableRequest(Status status) {
        String description = status.getDescription();
        return description != null && (description.equals("Invalid protobuf byte sequence")
                || description.startsWith("grpc: error unmarshalling request"));
    }
}
