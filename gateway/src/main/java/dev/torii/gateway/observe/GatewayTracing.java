package dev.torii.gateway.observe;

import io.grpc.Metadata;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The gateway's spans, on Micrometer Tracing (OpenTelemetry underneath): a server span per
 * request that continues the client's W3C {@code traceparent} (or B3) when it sends one, child
 * spans for authentication, rate limiting and each upstream call, and the trace context written
 * into the gRPC metadata of calls to upstreams and to the Authority.
 *
 * <p>Spans travel in the request's state, never in thread-locals: a request hops between
 * event-loop and gRPC threads. When the request is not sampled the child spans other than the
 * upstream call are skipped, so an unsampled request pays only for the context it propagates.
 */
public final class GatewayTracing {

    private static final Propagator.Getter<HttpHeaders> HEADERS = HttpHeaders::getFirst;
    private static final Propagator.Setter<Metadata> METADATA = (metadata, key, value) -> {
        if (metadata != null) {
            metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
        }
    };

    private final Tracer tracer;
    private final Propagator propagator;

    /**
     * Creates the helper.
     *
     * @param tracer makes spans ({@link Tracer#NOOP} turns tracing off)
     * @param propagator reads and writes trace context
     */
    public GatewayTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /**
     * Starts the server span of a request, continuing the trace the client's headers name.
     *
     * @param request the request, whose trace headers the span continues
     * @return the started span
     */
    public Span startRequest(ServerHttpRequest request) {
        return propagator.extract(request.getHeaders(), HEADERS)
                .name("torii " + request.getMethod().name())
                .kind(Span.Kind.SERVER)
                .start();
    }

    /**
     * Starts a child span of the request's span for one step, or returns null when the request
     * is not recorded (no span, or not sampled).
     *
     * @param parent the request's server span, possibly null
     * @param name the step's name
     * @return the started span, or null
     */
    public Span startStep(Span parent, String name) {
        if (parent == null || parent.isNoop()) {
            return null;
        }
        return tracer.nextSpan(parent).name(name).start();
    }

    /**
     * Starts the client span of a gRPC call made for a request and writes its context into the
     * call's metadata, so the callee continues the trace. Unsampled requests get no new span:
     * the request's own context is propagated, with its sampled flag off.
     *
     * @param parent the request's server span, possibly null
     * @param name the span's name (the gRPC method)
     * @param headers the call's metadata
     * @return the started span, or null when none was started
     */
    public Span startCall(Span parent, String name, Metadata headers) {
        if (parent == null) {
            return null;
        }
        if (parent.isNoop()) {
            propagator.inject(parent.context(), headers, METADATA);
            return null;
        }
        Span span = tracer.spanBuilder().setParent(parent.context()).name(name).kind(Span.Kind.CLIENT).start();
        propagator.inject(span.context(), headers, METADATA);
        return span;
    }

    /**
     * Writes the request's trace context into the metadata of a call made on its behalf, with no
     * span of its own (the Authority exchange, which concurrent requests share).
     *
     * @param parent the request's server span, possibly null
     * @param headers the call's metadata
     */
    public void propagate(Span parent, Metadata headers) {
        if (parent != null) {
            propagator.inject(parent.context(), headers, METADATA);
        }
    }

    /**
     * Ends a span started by this helper, noting the failure if there was one.
     *
     * @param span the span, or null
     * @param failure what went wrong, or null
     */
    public static void end(Span span, Throwable failure) {
        if (span == null) {
            return;
        }
        if (failure != null) {
            span.error(failure);
        }
        span.end();
    }
}
