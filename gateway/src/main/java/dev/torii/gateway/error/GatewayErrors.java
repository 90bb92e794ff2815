package dev.torii.gateway.error;

import dev.torii.gateway.exchange.GatewayExchange;
import io.grpc.Status.Code;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.channel.AbortedException;

/**
 * Builds the errors the gateway answers by itself, and turns any other failure into one, so that
 * every answer follows the envelope. This is the gateway's own table:
 *
 * <table>
 *   <caption>Errors the gateway generates</caption>
 *   <tr><th>cause</th><th>HTTP</th><th>gRPC code</th></tr>
 *   <tr><td>no route for the path</td><td>404</td><td>NOT_FOUND</td></tr>
 *   <tr><td>HTTP method other than POST</td><td>405</td><td>UNIMPLEMENTED</td></tr>
 *   <tr><td>CORS preflight the route's policy refuses</td><td>403</td><td>PERMISSION_DENIED</td></tr>
 *   <tr><td>body larger than the limit</td><td>413</td><td>RESOURCE_EXHAUSTED</td></tr>
 *   <tr><td>unsupported Content-Type</td><td>415</td><td>INVALID_ARGUMENT</td></tr>
 *   <tr><td>malformed JSON, bad grpc-timeout</td><td>400</td><td>INVALID_ARGUMENT</td></tr>
 *   <tr><td>upstream unreachable</td><td>503</td><td>UNAVAILABLE</td></tr>
 *   <tr><td>deadline passed</td><td>504</td><td>DEADLINE_EXCEEDED</td></tr>
 *   <tr><td>upstream answer is not the declared message type</td><td>502</td><td>INTERNAL</td></tr>
 * </table>
 */
public final class GatewayErrors {

    private static final Logger log = LoggerFactory.getLogger(GatewayErrors.class);

    private GatewayErrors() {}

    /**
     * Reports a CORS preflight the route's policy refuses. The browser reads none of it (it sees
     * no {@code Access-Control-Allow-*} header); the message is for whoever debugs with curl.
     *
     * @param reason what is not allowed, and what would be
     * @return the error
     */
    public static GatewayError corsPreflightRefused(String reason) {
        return GatewayError.withHttpStatus(403, Code.PERMISSION_DENIED, "CORS preflight refused: " + reason);
    }

    /**
     * Reports a path no route serves.
     *
     * @param method the HTTP method
     * @param path the request path
     * @return the error
     */
    public static GatewayError routeNotFound(String method, String path) {
        return GatewayError.of(Code.NOT_FOUND, "no route for " + method + " " + abbreviate(path)
                + " (expected: POST /package.Service/Method of an exposed method)");
    }

    /**
     * Reports an HTTP method other than POST on a route.
     *
     * @param method the HTTP method used
     * @return the error, with {@code Allow: POST}
     */
    public static GatewayError methodNotAllowed(String method) {
        return methodNotAllowed(method, "POST");
    }

    /**
     * Reports an HTTP method the route does not take in the request's protocol.
     *
     * @param method the request's method
     * @param allowed the methods it takes, comma-separated
     * @return the error
     */
    public static GatewayError methodNotAllowed(String method, String allowed) {
        return GatewayError.withHttpStatus(405, Code.UNIMPLEMENTED,
                "HTTP method " + method + " (expected: " + allowed.replace(", ", " or ") + ")").header("Allow", allowed);
    }

    /**
     * Reports a body over the size limit.
     *
     * @param limitBytes the limit
     * @return the error
     */
    public static GatewayError payloadTooLarge(long limitBytes) {
        return GatewayError.withHttpStatus(413, Code.RESOURCE_EXHAUSTED,
                "request body larger than " + limitBytes + " bytes (expected: at most " + limitBytes + " bytes)");
    }

    /**
     * Reports a Content-Type the gateway does not speak.
     *
     * @param contentType the header value, possibly null
     * @return the error
     */
    public static GatewayError unsupportedMediaType(String contentType) {
        return unsupportedMediaType(contentType,
                "application/x-protobuf, application/protobuf or application/json in UTF-8");
    }

    /**
     * Reports a Content-Type the request's protocol does not speak, naming the ones it does.
     *
     * @param contentType the header value, possibly null
     * @param expected the content types the protocol accepts there, as prose
     * @return the error
     */
    public static GatewayError unsupportedMediaType(String contentType, String expected) {
        return GatewayError.withHttpStatus(415, Code.INVALID_ARGUMENT,
                "Content-Type: " + (contentType == null ? "(missing)" : abbreviate(contentType))
                        + " (expected: " + expected + ")");
    }

    /**
     * Turns any failure into an envelope error; an unexpected one is logged as the bug it is.
     *
     * @param exchange the exchange, for the log
     * @param failure the failure
     * @return the error to answer with
     */
    public static GatewayError from(ServerWebExchange exchange, Throwable failure) {
        if (failure instanceof GatewayError error) {
            return error;
        }
        if (failure instanceof DataBufferLimitException) {
            return payloadTooLarge(-1);
        }
        if (failure instanceof ResponseStatusException status) {
            int http = status.getStatusCode().value();
            return switch (http) {
                case 404 -> routeNotFound(exchange.getRequest().getMethod().name(), exchange.getRequest().getPath().value());
                case 405 -> methodNotAllowed(exchange.getRequest().getMethod().name());
                case 413 -> GatewayError.withHttpStatus(413, Code.RESOURCE_EXHAUSTED, "request body too large");
                case 415 -> unsupportedMediaType(exchange.getRequest().getHeaders().getFirst("Content-Type"));
                default -> GatewayError.withHttpStatus(http, codeFor(http),
                        status.getReason() != null ? status.getReason() : "request failed with HTTP " + http);
            };
        }
        if (failure instanceof AbortedException || AbortedException.isConnectionReset(failure)) {
            // The client closed its connection while the answer was being written: nothing of
            // the gateway's failed, and nothing can reach the client any more.
            log.debug("client closed the connection serving {} {} (request id {}): {}",
                    exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                    GatewayExchange.of(exchange).requestId(), failure.toString());
            return GatewayError.of(Code.CANCELLED, "the client closed the connection");
        }
        log.error("unexpected failure serving {} {} (request id {})", exchange.getRequest().getMethod(),
                exchange.getRequest().getPath(), GatewayExchange.of(exchange).requestId(),
                failure);
        return GatewayError.of(Code.INTERNAL, "internal gateway error; quote the request id when reporting it");
    }

    private static Code codeFor(int http) {
        return switch (http) {
            case 400 -> Code.INVALID_ARGUMENT;
            case 401 -> Code.UNAUTHENTICATED;
            case 403 -> Code.PERMISSION_DENIED;
            case 404 -> Code.NOT_FOUND;
            case 409 -> Code.ABORTED;
            case 429 -> Code.RESOURCE_EXHAUSTED;
            case 501 -> Code.UNIMPLEMENTED;
            case 503 -> Code.UNAVAILABLE;
            case 504 -> Code.DEADLINE_EXCEEDED;
            default -> http < 500 ? Code.INVALID_ARGUMENT : Code.INTERNAL;
        };
    }

    private static String abbreviate(String value) {
        return value.length() <= 200 ? value : value.substring(0, 200) + "...";
    }
}
