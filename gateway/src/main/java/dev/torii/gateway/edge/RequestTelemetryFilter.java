package dev.torii.gateway.edge;

import dev.torii.gateway.observe.BufferedAccessLog;
import dev.torii.gateway.observe.LogTimestamp;
import dev.torii.gateway.observe.GatewayMetrics;
import dev.torii.gateway.observe.GatewayTracing;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.v1.PrincipalType;
import dev.torii.gateway.traffic.ClientAddressResolver;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.route.MethodRoute;
import io.grpc.Status;
import io.micrometer.tracing.Span;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Watches every request from arrival to the end of its answer: opens its server span (continuing
 * the client's trace), and when the answer is written records its metrics, ends the span and
 * writes one access-log line.
 *
 * <p>The access log goes to the logger {@value #ACCESS_LOGGER} at INFO: one line per request with
 * the request id, trace id, route, HTTP status, gRPC code, latency, the kind of caller and the
 * client's address, as key-value pairs that structured (JSON) logging turns into fields. It never
 * holds a credential, a token or a body. Turn it off with
 * {@code logging.level.torii.access=off}.
 *
 * <p>The gateway's own warm-up calls go through every step, so the JIT compiles what clients'
 * requests run, but leave no record: their meters go to the warm-up's own registry, which nothing
 * reads ({@link GatewayMetrics#of}); their access-log line is formatted and not written; their
 * spans, sampled or not as the warm-up's trace context says, are never exported (their traces are
 * the warm-up's, see {@link dev.torii.gateway.exchange.WarmUpKey#isWarmUpTrace}).
 */
public final class RequestTelemetryFilter implements GatewayFilter {

    /** The access log's logger. */
    public static final String ACCESS_LOGGER = "torii.access";

    private static final Logger accessLog = LoggerFactory.getLogger(ACCESS_LOGGER);
    // nginx's word for a request the client gave up on before the answer.
    private static final int CLIENT_CLOSED = 499;
    private static final int MAX_LOGGED_PATH = 200;

    private final GatewayMetrics metrics;
    private final GatewayTracing tracing;
    private final BufferedAccessLog lines;

    /**
     * Creates the filter.
     *
     * @param metrics records the request meters
     * @param tracing opens and ends the server span
     * @param lines writes access-log lines in batches, when active
     */
    public RequestTelemetryFilter(GatewayMetrics metrics, GatewayTracing tracing, BufferedAccessLog lines) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.lines = lines;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        GatewayExchange state = GatewayExchange.of(exchange);
        Span span = tracing.startRequest(exchange.getRequest());
        state.span(span);
        return chain.filter(exchange).doFinally(signal -> finish(exchange, state, span, signal));
    }

    private void finish(ServerWebExchange exchange, GatewayExchange state, Span span, SignalType signal) {
        long nanos = System.nanoTime() - state.arrivedNanos();
        MethodRoute route = state.routeOrNull();
        String routeLabel = route == null ? GatewayMetrics.UNMATCHED : route.path();
        String upstream = state.upstream() != null ? state.upstream().target()
                : route == null ? GatewayMetrics.NONE : route.upstream().target();
        int status;
        Status.Code code;
        if (signal == SignalType.CANCEL) {
            status = CLIENT_CLOSED;
            code = Status.Code.CANCELLED;
        } else {
            HttpStatusCode answered = exchange.getResponse().getStatusCode();
            status = answered == null ? 200 : answered.value();
            code = state.outcome() != null ? state.outcome()
                    : grpcCode(exchange.getResponse().getHeaders().getFirst("grpc-status"), status);
        }
        boolean stream = route != null && route.serverStreaming();
        GatewayMetrics meters = metrics.of(state.warmUp());
        meters.request(routeLabel, upstream, status, code, nanos);
        if (stream) {
            meters.stream(routeLabel, upstream, code, state.messagesSent(), nanos);
        }
        if (span != null) {
            span.name(route == null ? "torii unmatched" : route.serviceName() + "/" + route.methodName());
            span.tag("http.response.status_code", Integer.toString(status));
            span.tag("rpc.grpc.status_code", Integer.toString(code.value()));
            span.tag("torii.route", routeLabel);
            span.tag("torii.request_id", state.requestId());
            if (stream) {
                span.tag("rpc.messages_sent", Long.toString(state.messagesSent()));
            }
            span.end();
        }
        if (accessLog.isInfoEnabled()) {
            log(exchange, state, span, routeLabel, upstream, status, code, nanos);
        }
    }

    private void log(ServerWebExchange exchange, GatewayExchange state, Span span, String route, String upstream, int status,
            Status.Code code, long nanos) {
        ServerHttpRequest request = exchange.getRequest();
        String path = request.getPath().value();
        if (path.length() > MAX_LOGGED_PATH) {
            path = path.substring(0, MAX_LOGGED_PATH) + "...";
        }
        String method = request.getMethod().name();
        String requestId = state.requestId();
        String traceId = span == null ? "" : span.context().traceId();
        String caller = caller(state);
        String client = ClientAddressResolver.peerAddress(request);
        long micros = Math.round(nanos / 1e3);
        // A stream's line also counts the messages it carried.
        long messages = state.routeOrNull() != null && state.route().serverStreaming() ? state.messagesSent() : -1;
        Message text = new Message(method, path, status, code, micros, requestId, traceId, caller, messages);
        if (lines.active()) {
            StringBuilder line = new StringBuilder(512);
            if (lines.json()) {
                json(line, text, route, upstream, client);
            } else {
                LogTimestamp.appendNow(line);
                line.append("  INFO ").append(ACCESS_LOGGER).append(" : ");
                text.appendTo(line, false);
            }
            if (!state.warmUp()) {
                lines.write(line);
            }
            return;
        }
        if (state.warmUp()) {
            return;
        }
        var line = accessLog.atInfo();
        if (messages >= 0) {
            line = line.addKeyValue("messages", messages);
        }
        line.addKeyValue("request_id", requestId)
                .addKeyValue("trace_id", traceId)
                .addKeyValue("http_method", method)
                .addKeyValue("path", path)
                .addKeyValue("route", route)
                .addKeyValue("upstream", upstream)
                .addKeyValue("status", status)
                .addKeyValue("grpc_code", code.name())
                .addKeyValue("latency_ms", micros / 1e3)
                .addKeyValue("caller", caller)
                .addKeyValue("client", client == null ? "" : client)
                .log(text.toString());
    }

    // The line's human-readable part; the same fields travel as fields of their own too.
    private record Message(String method, String path, int status, Status.Code code, long micros, String requestId,
            String traceId, String caller, long messages) {

        // Only the path can hold characters JSON escapes: the method is an HTTP token, the
        // request id is checked (RequestIds), the trace id is hex and the caller a fixed word.
        void appendTo(StringBuilder out, boolean jsonEscaped) {
            out.append(method).append(' ');
            if (jsonEscaped) {
                escape(out, path);
            } else {
                out.append(path);
            }
            out.append(' ').append(status).append(' ').append(code.name()).append(' ');
            appendMillis(out, micros);
            out.append("ms request_id=").append(requestId).append(" trace_id=").append(traceId)
                    .append(" caller=").append(caller);
            if (messages >= 0) {
                out.append(" messages=").append(messages);
            }
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder(160);
            appendTo(out, false);
            return out.toString();
        }
    }

    // One Logstash-style JSON object, as Spring Boot's structured console logging writes them.
    private static void json(StringBuilder out, Message text, String route, String upstream, String client) {
        out.append("{\"@timestamp\":\"");
        LogTimestamp.appendNow(out);
        out.append("\",\"@version\":\"1\",\"message\":\"");
        text.appendTo(out, true);
        out.append("\",\"logger_name\":\"").append(ACCESS_LOGGER).append("\",\"thread_name\":");
        quote(out, Thread.currentThread().getName());
        out.append(",\"level\":\"INFO\",\"level_value\":20000,\"request_id\":");
        quote(out, text.requestId());
        out.append(",\"trace_id\":");
        quote(out, text.traceId());
        out.append(",\"http_method\":");
        quote(out, text.method());
        out.append(",\"path\":");
        quote(out, text.path());
        out.append(",\"route\":");
        quote(out, route);
        out.append(",\"upstream\":");
        quote(out, upstream);
        out.append(",\"status\":").append(text.status()).append(",\"grpc_code\":\"").append(text.code().name())
                .append("\",\"latency_ms\":");
        appendMillis(out, text.micros());
        out.append(",\"caller\":\"").append(text.caller())
                .append("\",\"client\":");
        quote(out, client == null ? "" : client);
        if (text.messages() >= 0) {
            out.append(",\"messages\":").append(text.messages());
        }
        out.append('}');
    }

    /**
     * Writes a duration in milliseconds with up to three decimals, as {@code Double.toString} writes
     * {@code micros / 1e3} below 10,000,000 ms ({@code 0.298}, {@code 61.0}), but from integers:
     * formatting the double was 0.8 % of the gateway's samples under load (JFR).
     *
     * @param out where to write
     * @param micros the duration in microseconds, not negative
     */
    static void appendMillis(StringBuilder out, long micros) {
        out.append(micros / 1000).append('.');
        LogTimestamp.appendDigits(out, (int) (micros % 1000), 100);
        // As Double.toString: no trailing zeros, but one digit after the point at least.
        while (out.charAt(out.length() - 1) == '0' && out.charAt(out.length() - 2) != '.') {
            out.setLength(out.length() - 1);
        }
    }

    static void quote(StringBuilder out, String value) {
        out.append('"');
        escape(out, value);
        out.append('"');
    }

    // JSON string escaping, without the quotes.
    private static void escape(StringBuilder out, String value) {
        int plain = 0;
        while (plain < value.length() && !escaped(value.charAt(plain))) {
            plain++;
        }
        if (plain == value.length()) {
            // Nearly always: one copy of the whole value.
            out.append(value);
            return;
        }
        out.append(value, 0, plain);
        for (int i = plain; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    private static boolean escaped(char c) {
        return c == '"' || c == '\\' || c < 0x20 || c == 0x7f;
    }

    // The kind of caller, never who: anonymous, user or service_account.
    private static String caller(GatewayExchange state) {
        ExchangeTokenResponse identity = state.identity();
        if (identity == null) {
            return "anonymous";
        }
        return identity.getPrincipal().getType() == PrincipalType.PRINCIPAL_TYPE_SERVICE_ACCOUNT
                ? "service_account" : "user";
    }

    // The gRPC code of an answer: the grpc-status header when the gateway set one (every error
    // does), OK for a plain success.
    static Status.Code grpcCode(String header, int httpStatus) {
        if (header != null) {
            try {
                return Status.fromCodeValue(Integer.parseInt(header)).getCode();
            } catch (NumberFormatException e) {
                return Status.Code.UNKNOWN;
            }
        }
        return httpStatus < 400 ? Status.Code.OK : Status.Code.UNKNOWN;
    }
}
