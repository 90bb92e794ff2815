package dev.torii.gateway.error;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import dev.torii.gateway.grpc.GrpcStatusHttpMapping;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Carries a failure to the one error envelope: the {@code google.rpc.Status} the client gets, the
 * HTTP status (from {@link GrpcStatusHttpMapping} unless the gateway's own table says otherwise)
 * and any extra response headers. Thrown or emitted by every gateway step; no stack trace, since
 * these are answers, not bugs.
 */
public final class GatewayError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private transient Status status;
    private final int httpStatus;
    private final Map<String, String> headers;
    private String html;

    private GatewayError(Status status, int httpStatus, Map<String, String> headers, Throwable cause) {
        super(status.getMessage(), cause, false, false);
        this.status = status;
        this.httpStatus = httpStatus;
        this.headers = headers;
    }

    /**
     * Creates an error whose HTTP status follows the gRPC code.
     *
     * @param code the gRPC code
     * @param message what went wrong, for the client
     * @return the error
     */
    public static GatewayError of(io.grpc.Status.Code code, String message) {
        return of(Status.newBuilder().setCode(code.value()).setMessage(message).build());
    }

    /**
     * Creates an error from a full status, details included; the HTTP status follows its code.
     *
     * @param status the status
     * @return the error
     */
    public static GatewayError of(Status status) {
        return new GatewayError(status, GrpcStatusHttpMapping.httpStatus(status.getCode()), new LinkedHashMap<>(), null);
    }

    /**
     * Creates an error with an HTTP status of the gateway's own table (such as 413 or 415), where
     * the gRPC table has no precise answer.
     *
     * @param httpStatus the HTTP status
     * @param code the gRPC code clients and logs see
     * @param message what went wrong, for the client
     * @return the error
     */
    public static GatewayError withHttpStatus(int httpStatus, io.grpc.Status.Code code, String message) {
        return new GatewayError(Status.newBuilder().setCode(code.value()).setMessage(message).build(),
                httpStatus, new LinkedHashMap<>(), null);
    }

    /**
     * Adds a response header to the error answer, such as {@code Allow} or {@code WWW-Authenticate}.
     *
     * @param name header name
     * @param value header value
     * @return this error
     */
    public GatewayError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /**
     * Adds a detail to the status, as {@code google.rpc} error details travel: packed in an
     * {@code Any}, after the details already there.
     *
     * @param detail the detail, such as a {@code google.rpc.BadRequest}
     * @return this error
     */
    public GatewayError detail(Message detail) {
        status = status.toBuilder().addDetails(Any.pack(detail)).build();
        return this;
    }

    /**
     * Tells the client when to try again, both ways clients read it: the {@code Retry-After}
     * header (HTTP clients, RFC 9110) and a {@code google.rpc.RetryInfo} detail (gRPC and Connect
     * clients, whose retry policies read {@code retry_delay}).
     *
     * @param seconds the delay, in whole seconds (at least 1 is sent, as {@code Retry-After: 0}
     *     would invite a stampede)
     * @return this error
     */
    public GatewayError retryAfter(long seconds) {
        long delay = Math.max(1, seconds);
        header("Retry-After", Long.toString(delay));
        return detail(RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder().setSeconds(delay)).build());
    }

    /**
     * Adds a small HTML page shown instead of the envelope to a browser (a request that accepts
     * {@code text/html} and sent no protobuf); for developer errors only.
     *
     * @param page the page
     * @return this error
     */
    public GatewayError html(String page) {
        this.html = page;
        return this;
    }

    /**
     * Returns the HTML page for browsers, if the error has one.
     *
     * @return the page, or null
     */
    public String html() {
        return html;
    }

    /**
     * Returns the status the client receives.
     *
     * @return the status
     */
    public Status status() {
        return status;
    }

    /**
     * Returns the HTTP status of the answer.
     *
     * @return the HTTP status
     */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * Returns extra headers of the answer.
     *
     * @return header names to values
     */
    public Map<String, String> headers() {
        return headers;
    }
}
