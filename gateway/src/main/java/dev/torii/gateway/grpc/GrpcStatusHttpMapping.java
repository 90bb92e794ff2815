package dev.torii.gateway.grpc;

import io.grpc.Status;

/**
 * Maps gRPC status codes to HTTP statuses: the one table every error the gateway relays follows.
 * It is the mapping documented with {@code google.rpc.Code} (and used by grpc-gateway and Envoy).
 *
 * <table>
 *   <caption>gRPC code to HTTP status</caption>
 *   <tr><th>gRPC code</th><th>HTTP</th></tr>
 *   <tr><td>OK</td><td>200</td></tr>
 *   <tr><td>CANCELLED</td><td>499</td></tr>
 *   <tr><td>UNKNOWN</td><td>500</td></tr>
 *   <tr><td>INVALID_ARGUMENT</td><td>400</td></tr>
 *   <tr><td>DEADLINE_EXCEEDED</td><td>504</td></tr>
 *   <tr><td>NOT_FOUND</td><td>404</td></tr>
 *   <tr><td>ALREADY_EXISTS</td><td>409</td></tr>
 *   <tr><td>PERMISSION_DENIED</td><td>403</td></tr>
 *   <tr><td>RESOURCE_EXHAUSTED</td><td>429</td></tr>
 *   <tr><td>FAILED_PRECONDITION</td><td>400</td></tr>
 *   <tr><td>ABORTED</td><td>409</td></tr>
 *   <tr><td>OUT_OF_RANGE</td><td>400</td></tr>
 *   <tr><td>UNIMPLEMENTED</td><td>501</td></tr>
 *   <tr><td>INTERNAL</td><td>500</td></tr>
 *   <tr><td>UNAVAILABLE</td><td>503</td></tr>
 *   <tr><td>DATA_LOSS</td><td>500</td></tr>
 *   <tr><td>UNAUTHENTICATED</td><td>401</td></tr>
 * </table>
 */
public final class GrpcStatusHttpMapping {

    private static final int[] HTTP_BY_CODE = new int[17];

    static {
        HTTP_BY_CODE[Status.Code.OK.value()] = 200;
        HTTP_BY_CODE[Status.Code.CANCELLED.value()] = 499;
        HTTP_BY_CODE[Status.Code.UNKNOWN.value()] = 500;
        HTTP_BY_CODE[Status.Code.INVALID_ARGUMENT.value()] = 400;
        HTTP_BY_CODE[Status.Code.DEADLINE_EXCEEDED.value()] = 504;
        HTTP_BY_CODE[Status.Code.NOT_FOUND.value()] = 404;
        HTTP_BY_CODE[Status.Code.ALREADY_EXISTS.value()] = 409;
        HTTP_BY_CODE[Status.Code.PERMISSION_DENIED.value()] = 403;
        HTTP_BY_CODE[Status.Code.RESOURCE_EXHAUSTED.value()] = 429;
        HTTP_BY_CODE[Status.Code.FAILED_PRECONDITION.value()] = 400;
        HTTP_BY_CODE[Status.Code.ABORTED.value()] = 409;
        HTTP_BY_CODE[Status.Code.OUT_OF_RANGE.value()] = 400;
        HTTP_BY_CODE[Status.Code.UNIMPLEMENTED.value()] = 501;
        HTTP_BY_CODE[Status.Code.INTERNAL.value()] = 500;
        HTTP_BY_CODE[Status.Code.UNAVAILABLE.value()] = 503;
        HTTP_BY_CODE[Status.Code.DATA_LOSS.value()] = 500;
        HTTP_BY_CODE[Status.Code.UNAUTHENTICATED.value()] = 401;
    }

    private GrpcStatusHttpMapping() {}

    /**
     * Returns the HTTP status for a gRPC status code.
     *
     * @param code a gRPC status code value; values outside 0..16 are treated as UNKNOWN, as gRPC does
     * @return the HTTP status
     */
    public static int httpStatus(int code) {
        return code >= 0 && code < HTTP_BY_CODE.length ? HTTP_BY_CODE[code] : HTTP_BY_CODE[Status.Code.UNKNOWN.value()];
    }
}
