package dev.torii.gateway.protocol;

import com.google.rpc.BadRequest;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.WireProtocol;
import dev.torii.gateway.grpc.WireFormat;
import dev.torii.gateway.httprule.BindingException;
import dev.torii.gateway.httprule.HttpBinding;
import dev.torii.gateway.httprule.Match;
import dev.torii.gateway.httprule.Rendered;
import dev.torii.gateway.httprule.RequestBinder;
import dev.torii.gateway.httprule.ResponseWriter;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * REST from {@code google.api.http} rules (AIP-127), as grpc-gateway and Envoy's
 * {@code grpc_json_transcoder} serve it: a request whose path and verb match a method's HTTP
 * binding (from its proto, or declared by its route file) is bound into the method's request
 * message from the path variables, the query parameters and the body ({@code body: "*"} or one
 * field), and the answer is the response message (or its {@code response_body} field) as proto3
 * JSON with the route's print options; {@code google.api.HttpBody} passes raw bytes with their
 * own content type. A server stream answers newline-delimited JSON ({@code {"result": …}} per
 * message, a last {@code {"error": …}} line on failure, as grpc-gateway does), or Server-Sent
 * Events when the client's {@code Accept} asks for {@code text/event-stream} (the stream opens
 * at once, and every upstream failure is an {@code error} event). Errors are the
 * legacy dialect's: a {@code google.rpc.Status} JSON body with the mapped HTTP status.
 *
 * <p>It claims a request when the path is no RPC path and some binding's template matches it,
 * under any verb, so that a wrong verb gets REST's 405 with {@code Allow}.
 */
public final class RestProtocol implements Protocol {

    /** The media type of Server-Sent Events. */
    public static final String EVENT_STREAM = JsonStream.EVENT_STREAM;
    private static final Match<MethodRoute> NOT_FOUND = new Match.NotFound<>();

    private final RouteRegistry routes;
    private final RequestBinder binder;
    private final ResponseWriter writer;
    private final StatusJson statusJson;
    private final LegacyProtocol errors;

    /**
     * Creates the protocol.
     *
     * @param routes the table in force, whose bindings tell which requests are REST
     * @param binder binds path variables, query parameters and bodies into request messages
     * @param writer renders answers as JSON or raw {@code HttpBody} bytes
     * @param statusJson prints the error of a failed stream
     * @param errors writes errors, in the legacy dialect's {@code google.rpc.Status} envelope
     */
    public RestProtocol(RouteRegistry routes, RequestBinder binder, ResponseWriter writer, StatusJson statusJson,
            LegacyProtocol errors) {
        this.routes = routes;
        this.binder = binder;
        this.writer = writer;
        this.statusJson = statusJson;
        this.errors = errors;
    }

    @Override
    public WireProtocol id() {
        return WireProtocol.REST;
    }

    @Override
    public boolean claims(ServerHttpRequest request) {
        return !(match(request, request.getMethod().name(), false) instanceof Match.NotFound<MethodRoute>);
    }

    /**
     * Claims a request as {@link #claims(ServerHttpRequest)} does, and records the match, so the
     * path is matched once per request: a preflight is matched under the method it asks about,
     * so that CORS finds the route file whose policy answers it.
     */
    @Override
    public boolean claims(ServerHttpRequest request, GatewayExchange state) {
        String preflight = state.preflightMethod();
        Match<MethodRoute> match = match(request, preflight != null ? preflight.trim() : request.getMethod().name(),
                state.warmUp());
        if (match instanceof Match.NotFound<MethodRoute>) {
            return false;
        }
        state.httpMatch(match);
        return true;
    }

    // The request's REST match in the table it is matched against; not found for RPC paths.
    private Match<MethodRoute> match(ServerHttpRequest request, String method, boolean warmUpCall) {
        RouteTable table = routes.matching(warmUpCall);
        String path = request.getPath().value();
        if (!table.hasHttpBindings() || table.find(path) != null) {
            return NOT_FOUND;
        }
        return table.matchHttp(method, path);
    }

    @Override
    public MethodRoute findRoute(RouteTable table, ServerHttpRequest request, GatewayExchange state) {
        // The protocol step matched the path when it gave the request to REST.
        Match<MethodRoute> match = state.httpMatchOrNull();
        String method = request.getMethod().name();
        if (match instanceof Match.Found<MethodRoute> found) {
            return found.value();
        }
        if (match instanceof Match.MethodNotAllowed<MethodRoute> notAllowed) {
            throw GatewayErrors.methodNotAllowed(method, String.join(", ", notAllowed.allowed()));
        }
        if (match instanceof Match.BadPath<MethodRoute> bad) {
            throw GatewayError.of(io.grpc.Status.Code.INVALID_ARGUMENT,
                    "path " + abbreviate(request.getPath().value()) + ": " + bad.reason());
        }
        return null;
    }

    @Override
    public boolean accepts(HttpMethod method, MethodRoute route) {
        // The binding's template matched under this very verb.
        return true;
    }

    @Override
    public long clientTimeoutNanos(ServerHttpRequest request) {
        // grpc-gateway honours a client's Grpc-Timeout header on REST calls too.
        return GrpcCodec.timeoutNanos(request);
    }

    @Override
    public Mono<byte[]> readRequest(ServerWebExchange exchange, GatewayExchange state, int maxBytes) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        MethodRoute route = state.route();
        Match.Found<MethodRoute> match = state.httpMatch();
        HttpBinding binding = match.binding();
        state.format(WireFormat.JSON, route.serverStreaming() ? streamMediaType(request) : WireFormat.APPLICATION_JSON);
        String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
        String rawQuery = request.getURI().getRawQuery();
        if (binding.body().isEmpty()) {
            // No field takes the body (GET, DELETE and rules without body): the query sets the rest.
            return Mono.fromCallable(() -> bind(route, binding, match, rawQuery, new byte[0], contentType));
        }
        if (!binder.takesRawBody(route.protoMethod(), binding.body()) && !json(contentType)) {
            return Mono.error(GatewayErrors.unsupportedMediaType(contentType, "application/json: the body of "
                    + binding.verb() + " " + binding.template().text() + " is proto3 JSON"));
        }
        return MessageCodec.inflatedBody(request, maxBytes)
                .map(body -> bind(route, binding, match, rawQuery, body, contentType));
    }

    private byte[] bind(MethodRoute route, HttpBinding binding, Match.Found<MethodRoute> match, String rawQuery,
            byte[] body, String contentType) {
        try {
            return binder.bind(route.protoMethod(), binding.body(), match.variables(), rawQuery, body, contentType);
        } catch (BindingException e) {
            GatewayError error = GatewayError.of(io.grpc.Status.Code.INVALID_ARGUMENT, e.getMessage());
            if (!e.fieldPath().isEmpty()) {
                error.detail(BadRequest.newBuilder().addFieldViolations(BadRequest.FieldViolation.newBuilder()
                        .setField(e.fieldPath()).setDescription(e.getMessage())).build());
            }
            throw error;
        }
    }

    @Override
    public Mono<Void> writeMessage(ServerWebExchange exchange, GatewayExchange state, byte[] message) {
        MethodRoute route = state.route();
        Rendered answer = writer.render(route.protoMethod(), state.httpMatch().binding().responseBody(), message,
                route.jsonPrint());
        return MessageCodec.answer(exchange.getResponse(), HttpStatus.OK, answer.contentType(), answer.bytes());
    }

    /**
     * Answers a stream as NDJSON ({@code {"result":<message>}} lines, a failure after the first
     * message as a last {@code {"error":<google.rpc.Status>}} line) or, when the client accepts
     * {@code text/event-stream}, as Server-Sent Events ({@code data: <message>} events, a failure
     * as an {@code error} event carrying the status; the headers go at once). A failure of an
     * NDJSON stream before its first message is answered as any error, with its HTTP status. The
     * messages are written as they arrive.
     */
    @Override
    public Mono<Void> writeStream(ServerWebExchange exchange, GatewayExchange state, Flux<byte[]> messages) {
        MethodRoute route = state.route();
        String responseBody = state.httpMatch().binding().responseBody();
        return JsonStream.write(exchange, state, messages,
                message -> writer.render(route.protoMethod(), responseBody, message, route.jsonPrint()).bytes(),
                statusJson, EVENT_STREAM.equals(state.mediaType()));
    }

    @Override
    public Mono<Void> writeError(ServerWebExchange exchange, GatewayExchange state, GatewayError error) {
        return errors.writeError(exchange, state, error);
    }

    private static String streamMediaType(ServerHttpRequest request) {
        List<String> accept = request.getHeaders().getOrEmpty(HttpHeaders.ACCEPT);
        for (String value : accept) {
            if (value.toLowerCase(Locale.ROOT).contains(EVENT_STREAM)) {
                return EVENT_STREAM;
            }
        }
        return JsonStream.NDJSON;
    }

    // A body without a content type is read as JSON, as grpc-gateway's default marshaler does.
    private static boolean json(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals(WireFormat.APPLICATION_JSON) || type.endsWith("+json");
    }

    private static String abbreviate(String path) {
        return path.length() <= 200 ? path : path.substring(0, 200) + "… (" + path.length() + " characters)";
    }
}
