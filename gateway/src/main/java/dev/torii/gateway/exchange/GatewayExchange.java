package dev.torii.gateway.exchange;

import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.gateway.grpc.CallMetadata;
import dev.torii.gateway.grpc.WireFormat;
import dev.torii.gateway.httprule.Match;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.UpstreamTarget;
import io.grpc.Deadline;
import io.micrometer.tracing.Span;
import java.util.concurrent.TimeUnit;
import org.springframework.web.server.ServerWebExchange;

/**
 * The typed state of one request, kept under a single attribute of Spring's
 * {@link ServerWebExchange}: a field for each fact a step of the request path establishes. A step
 * writes its own fields once and reads those of earlier steps; nothing else carries request state
 * (Envoy's {@code FilterState} and grpc-java's {@code CallOptions} are the models).
 *
 * <p>Written by, in the order of the steps: the request-id step (id and arrival, at creation, and
 * whether the request is one of the gateway's own warm-up calls, {@link #markWarmUp}),
 * telemetry ({@link #span}), protocol ({@link #protocol}, {@link #format}, {@link #mediaType}),
 * route match ({@link #route}), deadline ({@link #deadline}), authentication ({@link #identity}),
 * and the upstream call ({@link #upstream}). A getter of a field no step has written yet returns
 * null (or, for a required fact, throws), so a step placed before the one it depends on fails at
 * once and by name.
 *
 * <p>Not thread-safe, and it need not be: a request's steps run one after another.
 */
public final class GatewayExchange {

    private static final String ATTRIBUTE = GatewayExchange.class.getName();

    private final String requestId;
    private final long arrivedNanos;
    private Span span;
    private WireProtocol protocol;
    private WireFormat format;
    private String mediaType;
    private MethodRoute route;
    private Match<MethodRoute> httpMatch;
    private Deadline deadline;
    private long timeoutNanos;
    private ExchangeTokenResponse identity;
    private UpstreamTarget upstream;
    private final CallMetadata received = new CallMetadata();
    private long messagesSent;
    private io.grpc.Status.Code outcome;
    private String preflightMethod;
    private boolean warmUp;

    private GatewayExchange(String requestId, long arrivedNanos) {
        this.requestId = requestId;
        this.arrivedNanos = arrivedNanos;
    }

    /**
     * Returns the state of a request, making it when no step has yet: the first step makes it,
     * and an error handler that runs for a request the steps never saw still gets an id.
     *
     * @param exchange Spring's exchange of the request
     * @return the request's state
     */
    public static GatewayExchange of(ServerWebExchange exchange) {
        GatewayExchange state = exchange.getAttribute(ATTRIBUTE);
        if (state == null) {
            String offered = exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER);
            state = new GatewayExchange(RequestIds.acceptable(offered) ? offered : RequestIds.newId(), System.nanoTime());
            exchange.getAttributes().put(ATTRIBUTE, state);
        }
        return state;
    }

    /**
     * Returns the request's id: the client's {@code x-request-id} when it is sane, a new one
     * otherwise.
     *
     * @return the id
     */
    public String requestId() {
        return requestId;
    }

    /**
     * Returns when the request arrived, on the {@link System#nanoTime()} clock.
     *
     * @return the arrival time
     */
    public long arrivedNanos() {
        return arrivedNanos;
    }

    /**
     * Tells whether the request is one of the gateway's own warm-up calls (see {@link WarmUpKey}):
     * matched against the warm-up routes, and left out of the meters and the access log.
     *
     * @return true for a warm-up call
     */
    public boolean warmUp() {
        return warmUp;
    }

    /**
     * Records that the request is one of the gateway's own warm-up calls.
     */
    public void markWarmUp() {
        this.warmUp = true;
    }

    /**
     * Returns the method a CORS preflight asks for ({@code Access-Control-Request-Method}), under
     * which its path is matched.
     *
     * @return the method, or null when the request is no preflight
     */
    public String preflightMethod() {
        return preflightMethod;
    }

    /**
     * Records that the request is a CORS preflight, and for which method.
     *
     * @param method the value of its {@code Access-Control-Request-Method}
     */
    public void preflightMethod(String method) {
        this.preflightMethod = once(this.preflightMethod, method, "preflight method");
    }

    /**
     * Returns the request's server span, if telemetry opened one.
     *
     * @return the span, or null
     */
    public Span span() {
        return span;
    }

    /**
     * Records the request's server span.
     *
     * @param span the span
     */
    public void span(Span span) {
        this.span = once(this.span, span, "span");
    }

    /**
     * Returns the wire protocol the request speaks, once the protocol step told it.
     *
     * @return the protocol, or null before the protocol step
     */
    public WireProtocol protocol() {
        return protocol;
    }

    /**
     * Records the request's wire protocol.
     *
     * @param protocol the protocol
     */
    public void protocol(WireProtocol protocol) {
        this.protocol = once(this.protocol, protocol, "protocol");
    }

    /**
     * Returns how the request's messages are encoded, once the protocol has read the request's
     * content type.
     *
     * @return the format, or null while unknown
     */
    public WireFormat format() {
        return format;
    }

    /**
     * Returns the media type of the answer, once the protocol has read the request's content type.
     *
     * @return the media type, or null while unknown
     */
    public String mediaType() {
        return mediaType;
    }

    /**
     * Records how the request's messages are encoded and the media type the answer carries.
     *
     * @param format the message format
     * @param mediaType the answer's media type
     */
    public void format(WireFormat format, String mediaType) {
        this.format = once(this.format, format, "format");
        this.mediaType = mediaType;
    }

    /**
     * Returns the route the request matched, if it matched one yet.
     *
     * @return the route, or null
     */
    public MethodRoute routeOrNull() {
        return route;
    }

    /**
     * Returns the route the request matched.
     *
     * @return the route
     * @throws IllegalStateException when called before the route step
     */
    public MethodRoute route() {
        return required(route, "route");
    }

    /**
     * Records the route the request matched.
     *
     * @param route the route
     */
    public void route(MethodRoute route) {
        this.route = once(this.route, route, "route");
    }

    /**
     * Returns the REST binding the request matched, with its path variables.
     *
     * @return the match
     * @throws IllegalStateException when the request matched no REST binding
     */
    public Match.Found<MethodRoute> httpMatch() {
        if (!(required(httpMatch, "httpMatch") instanceof Match.Found<MethodRoute> found)) {
            throw new IllegalStateException("httpMatch is " + httpMatch + ", not a found binding");
        }
        return found;
    }

    /**
     * Returns what the request's path and method matched among the REST bindings, once the
     * protocol step has matched them: a binding, the methods the path takes, or a bad path.
     *
     * @return the match, or null when the request is not REST
     */
    public Match<MethodRoute> httpMatchOrNull() {
        return httpMatch;
    }

    /**
     * Records what the request matched among the REST bindings, once: the protocol step matches
     * the path when it tells the protocol, and later steps read the result.
     *
     * @param match the match
     */
    public void httpMatch(Match<MethodRoute> match) {
        this.httpMatch = once(this.httpMatch, match, "httpMatch");
    }

    /**
     * Returns the request's absolute deadline.
     *
     * @return the deadline
     * @throws IllegalStateException when called before the deadline step
     */
    public Deadline deadline() {
        return required(deadline, "deadline");
    }

    /**
     * Returns the timeout the deadline was made from, for messages.
     *
     * @return nanoseconds, or 0 before the deadline step
     */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Fixes the request's deadline: {@code timeoutNanos} after its arrival.
     *
     * @param timeoutNanos the timeout in force for the request
     */
    public void deadline(long timeoutNanos) {
        long spent = System.nanoTime() - arrivedNanos;
        this.deadline = once(this.deadline, Deadline.after(timeoutNanos - spent, TimeUnit.NANOSECONDS), "deadline");
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Returns the Authority's answer for an authenticated request: the principal and the private
     * token for the upstream.
     *
     * @return the answer, or null for a public route or before authentication
     */
    public ExchangeTokenResponse identity() {
        return identity;
    }

    /**
     * Records the Authority's answer for the request's credential.
     *
     * @param identity the answer
     */
    public void identity(ExchangeTokenResponse identity) {
        this.identity = once(this.identity, identity, "identity");
    }

    /**
     * Returns the upstream target the latest call attempt went to.
     *
     * @return the target, or null before the first attempt
     */
    public UpstreamTarget upstream() {
        return upstream;
    }

    /**
     * Records the target of a call attempt; unlike the other facts this one may change, since a
     * failed local target fails over to the remote one.
     *
     * @param target the target
     */
    public void upstream(UpstreamTarget target) {
        this.upstream = target;
    }

    /**
     * Returns what the upstream sent besides messages (its response headers and trailers), filled
     * in by the call as they arrive, for the protocols that relay them.
     *
     * @return the holder, never null
     */
    public CallMetadata received() {
        return received;
    }

    /**
     * Counts one message written to the client of a stream.
     */
    public void messageSent() {
        messagesSent++;
    }

    /**
     * Returns how many stream messages were written to the client.
     *
     * @return the count, 0 for a unary call
     */
    public long messagesSent() {
        return messagesSent;
    }

    /**
     * Records the gRPC code the answer carried, for protocols that do not say it in a
     * {@code grpc-status} header (a stream's code travels in its last message).
     *
     * @param code the code the client read
     */
    public void outcome(io.grpc.Status.Code code) {
        this.outcome = code;
    }

    /**
     * Returns the gRPC code the answer carried, when its protocol recorded it.
     *
     * @return the code, or null (then the {@code grpc-status} header tells)
     */
    public io.grpc.Status.Code outcome() {
        return outcome;
    }

    private static <T> T once(T current, T value, String field) {
        if (current != null) {
            throw new IllegalStateException(field + " of the request is already set (expected: one step writes it once)");
        }
        return value;
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new IllegalStateException(field + " of the request is not set yet (expected: the step that"
                    + " sets it runs before this one)");
        }
        return value;
    }
}
