package dev.torii.gateway.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Status;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.WireProtocol;
import dev.torii.gateway.grpc.CallMetadata;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.grpc.MessageFrames;
import dev.torii.gateway.grpc.WireFormat;
import dev.torii.gateway.route.MethodRoute;
import io.grpc.Status.Code;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Connect protocol (connectrpc.com/docs/protocol), as connect-es, connect-kotlin,
 * connect-swift and connect-go clients speak it.
 *
 * <ul>
 *   <li>Unary: {@code POST} with an {@code application/proto} or {@code application/json} body
 *       ({@code Content-Encoding: gzip} accepted), answered 200 with the message, the upstream's
 *       headers, and its trailers as {@code trailer-} headers; or the GET form
 *       ({@code ?connect=v1&encoding=…&message=…[&base64=1][&compression=gzip]}) for methods marked
 *       {@code idempotency_level = NO_SIDE_EFFECTS}.</li>
 *   <li>Errors of unary calls: Connect's error JSON
 *       ({@code {"code":"not_found","message":…,"details":[{"type","value","debug"}]}}) with the
 *       HTTP status of the one status table.</li>
 *   <li>Server streaming: {@code application/connect+proto} or {@code +json}, one enveloped request
 *       message; answered 200 with one envelope per message as it arrives
 *       ({@code Connect-Content-Encoding: gzip} per message when the client accepts it) and an
 *       end-of-stream envelope carrying the error, if any, and the trailers. Every failure of a
 *       stream request, even one the gateway makes before calling, travels in that end.</li>
 *   <li>{@code Connect-Timeout-Ms} shortens the route's timeout, never extends it.</li>
 * </ul>
 *
 * <p>A request is Connect when it carries {@code Connect-Protocol-Version}, a Connect-only content
 * type ({@code application/proto}, {@code application/connect+…}) or is the GET form; plain
 * {@code application/json} without the header stays with the legacy dialect.
 */
public final class ConnectProtocol implements Protocol {

    /** The header every Connect client sends; its one value is {@code 1}. */
    public static final String PROTOCOL_VERSION = "connect-protocol-version";
    /** The client's timeout, in milliseconds. */
    public static final String TIMEOUT_MS = "connect-timeout-ms";
    /** The per-message encoding of a stream's messages. */
    public static final String CONTENT_ENCODING = "connect-content-encoding";
    /** The per-message encodings a stream's client accepts. */
    public static final String ACCEPT_ENCODING = "connect-accept-encoding";

    private static final Logger log = LoggerFactory.getLogger(ConnectProtocol.class);

    private static final String PROTO = "application/proto";
    private static final String JSON = "application/json";
    private static final String STREAM_PREFIX = "application/connect+";
    private static final String STREAM_PROTO = "application/connect+proto";
    private static final String STREAM_JSON = "application/connect+json";
    private static final int END_STREAM = 0x02;
    private static final int MAX_TIMEOUT_DIGITS = 10;

    private final MessageCodec codec;
    private final JsonFormat.Printer detailPrinter;
    private final int compressMinBytes;

    /**
     * Creates the protocol.
     *
     * @param json transcodes JSON messages
     * @param descriptors the known message types, for the readable form of error details
     * @param compressMinBytes streamed messages at least this large are compressed for clients
     *     that accept gzip; smaller ones cost more to compress than they save
     */
    public ConnectProtocol(JsonTranscoder json, DescriptorRegistry descriptors, int compressMinBytes) {
        this.codec = new MessageCodec(json);
        this.detailPrinter = JsonFormat.printer().usingTypeRegistry(descriptors.typeRegistry())
                .omittingInsignificantWhitespace();
        this.compressMinBytes = compressMinBytes;
    }

    @Override
    public WireProtocol id() {
        return WireProtocol.CONNECT;
    }

    @Override
    public boolean claims(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        if (headers.containsHeader(PROTOCOL_VERSION)) {
            return true;
        }
        if (HttpMethod.GET.equals(request.getMethod())) {
            String query = request.getURI().getRawQuery();
            return query != null && RawQuery.parse(query).containsKey("connect");
        }
        String type = baseType(headers.getFirst(HttpHeaders.CONTENT_TYPE));
        return PROTO.equals(type) || (type != null && type.startsWith(STREAM_PREFIX));
    }

    @Override
    public boolean accepts(HttpMethod method, MethodRoute route) {
        return HttpMethod.POST.equals(method)
                || HttpMethod.GET.equals(method) && route.sideEffectFree() && !route.serverStreaming();
    }

    @Override
    public String allowedMethods(MethodRoute route) {
        return route.sideEffectFree() && !route.serverStreaming() ? "GET, POST" : "POST";
    }

    @Override
    public long clientTimeoutNanos(ServerHttpRequest request) {
        String header = request.getHeaders().getFirst(TIMEOUT_MS);
        if (header == null) {
            return -1;
        }
        String value = header.trim();
        if (value.isEmpty() || value.length() > MAX_TIMEOUT_DIGITS || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw GatewayError.of(Code.INVALID_ARGUMENT, TIMEOUT_MS + ": '" + abbreviate(value)
                    + "' (expected: 1 to 10 digits of milliseconds)");
        }
        return Long.parseLong(value) * 1_000_000L;
    }

    @Override
    public Mono<byte[]> readRequest(ServerWebExchange exchange, GatewayExchange state, int maxBytes) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        String version = headers.getFirst(PROTOCOL_VERSION);
        if (version != null && !version.trim().equals("1")) {
            return Mono.error(GatewayError.of(Code.INVALID_ARGUMENT, PROTOCOL_VERSION + ": '" + abbreviate(version)
                    + "' (expected: 1)"));
        }
        MethodRoute route = state.route();
        Descriptor input = route.protoMethod().getInputType();
        if (HttpMethod.GET.equals(request.getMethod())) {
            return Mono.fromCallable(() -> readGet(request, state, maxBytes));
        }
        String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
        String type = baseType(contentType);
        if (route.serverStreaming()) {
            if (!STREAM_PROTO.equals(type) && !STREAM_JSON.equals(type)) {
                return Mono.error(GatewayErrors.unsupportedMediaType(contentType, STREAM_PROTO + " or " + STREAM_JSON
                        + " in UTF-8: " + route.methodName() + " is a server-streaming method"));
            }
        } else if (!PROTO.equals(type) && !JSON.equals(type)) {
            return Mono.error(GatewayErrors.unsupportedMediaType(contentType, PROTO + " or " + JSON + " in UTF-8"
                    + (type != null && type.startsWith(STREAM_PREFIX) ? ": " + route.methodName() + " is unary" : "")));
        }
        WireFormat format = type.endsWith("json") ? WireFormat.JSON : WireFormat.PROTOBUF;
        state.format(format, type);
        if (!route.serverStreaming()) {
            String encoding = headers.getFirst(HttpHeaders.CONTENT_ENCODING);
            if (!MessageCodec.knownEncoding(encoding)) {
                return Mono.error(unknownEncoding(HttpHeaders.CONTENT_ENCODING, encoding, HttpHeaders.ACCEPT_ENCODING));
            }
            return MessageCodec.body(request, maxBytes).map(body -> codec.toUpstream(
                    MessageCodec.decode(body, encoding, maxBytes, "the request body"), format, input));
        }
        String encoding = headers.getFirst(CONTENT_ENCODING);
        if (!MessageCodec.knownEncoding(encoding)) {
            return Mono.error(unknownEncoding(CONTENT_ENCODING, encoding, ACCEPT_ENCODING));
        }
        return MessageCodec.body(request, maxBytes + MessageFrames.PREFIX_BYTES)
                .map(body -> codec.toUpstream(MessageCodec.onlyFrame(body, encoding, CONTENT_ENCODING, "request envelope", maxBytes),
                        format, input));
    }

    // The GET form of a unary call: the message travels in the query.
    private byte[] readGet(ServerHttpRequest request, GatewayExchange state, int maxBytes) {
        Map<String, byte[]> query = RawQuery.parse(request.getURI().getRawQuery());
        String connect = RawQuery.text(query, "connect");
        if (connect != null && !connect.equals("v1")) {
            throw GatewayError.of(Code.INVALID_ARGUMENT, "connect: '" + abbreviate(connect) + "' (expected: v1)");
        }
        String encoding = RawQuery.text(query, "encoding");
        WireFormat format;
        if ("proto".equals(encoding)) {
            format = WireFormat.PROTOBUF;
        } else if ("json".equals(encoding)) {
            format = WireFormat.JSON;
        } else {
            throw GatewayError.of(Code.INVALID_ARGUMENT, "encoding: " + (encoding == null ? "(missing)"
                    : "'" + abbreviate(encoding) + "'") + " (expected: proto or json)");
        }
        state.format(format, format == WireFormat.JSON ? JSON : PROTO);
        byte[] message = query.get("message");
        if (message == null) {
            throw GatewayError.of(Code.INVALID_ARGUMENT, "message: (missing) (expected: the request message in the"
                    + " query)");
        }
        if ("1".equals(RawQuery.text(query, "base64"))) {
            try {
                message = Base64.getUrlDecoder().decode(stripPadding(message));
            } catch (IllegalArgumentException e) {
                throw GatewayError.of(Code.INVALID_ARGUMENT, "message: not base64url (" + e.getMessage() + ")");
            }
        }
        String compression = RawQuery.text(query, "compression");
        if (!MessageCodec.knownEncoding(compression)) {
            throw unknownEncoding("compression", compression, HttpHeaders.ACCEPT_ENCODING);
        }
        if (message.length > maxBytes) {
            throw GatewayErrors.payloadTooLarge(maxBytes);
        }
        byte[] decoded = MessageCodec.decode(message, compression, maxBytes, "the request message");
        return codec.toUpstream(decoded, format, state.route().protoMethod().getInputType());
    }

    private static byte[] stripPadding(byte[] base64) {
        int end = base64.length;
        while (end > 0 && base64[end - 1] == '=') {
            end--;
        }
        return end == base64.length ? base64 : java.util.Arrays.copyOf(base64, end);
    }

    @Override
    public Mono<Void> writeMessage(ServerWebExchange exchange, GatewayExchange state, byte[] message) {
        byte[] body = codec.toClient(message, state.format(), state.route().protoMethod().getOutputType());
        ServerHttpResponse response = exchange.getResponse();
        relayUnaryMetadata(state, response.getHeaders());
        return MessageCodec.answer(response, HttpStatus.OK, state.mediaType(), body);
    }

    // Unary answers carry the upstream's headers as headers and its trailers as trailer- headers.
    private static void relayUnaryMetadata(GatewayExchange state, HttpHeaders headers) {
        CallMetadata.forEachRelayable(state.received().headers(), headers::add);
        CallMetadata.forEachRelayable(state.received().trailers(), (key, value) -> headers.add("trailer-" + key, value));
    }

    @Override
    public Mono<Void> writeStream(ServerWebExchange exchange, GatewayExchange state, Flux<byte[]> messages) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, state.mediaType());
        boolean compress = acceptsGzip(exchange.getRequest().getHeaders().getFirst(ACCEPT_ENCODING));
        if (compress) {
            headers.set(CONTENT_ENCODING, Gzip.NAME);
        }
        // The upstream's headers have arrived by the time the first envelope commits the answer.
        response.beforeCommit(() -> {
            CallMetadata.forEachRelayable(state.received().headers(), headers::add);
            return Mono.empty();
        });
        WireFormat format = state.format();
        Descriptor output = state.route().protoMethod().getOutputType();
        Flux<DataBuffer> envelopes = messages
                .map(message -> {
                    byte[] envelope = MessageCodec.frame(codec.toClient(message, format, output), compress, compressMinBytes);
                    state.messageSent();
                    return response.bufferFactory().wrap(envelope);
                })
                .concatWith(Mono.fromSupplier(() -> {
                    state.outcome(Code.OK);
                    return response.bufferFactory().wrap(endOfStream(null, state));
                }))
                .onErrorResume(failure -> {
                    GatewayError error = GatewayErrors.from(exchange, failure);
                    state.outcome(io.grpc.Status.fromCodeValue(error.status().getCode()).getCode());
                    return Mono.just(response.bufferFactory().wrap(endOfStream(error, state)));
                });
        return response.writeWith(envelopes);
    }

    // The end of a stream: {"error": {...}, "metadata": {"key": ["value"]}}, with the trailers.
    private byte[] endOfStream(GatewayError error, GatewayExchange state) {
        JsonObject end = new JsonObject();
        if (error != null) {
            end.add("error", errorJson(error.status()));
        }
        JsonObject metadata = new JsonObject();
        CallMetadata.forEachRelayable(state.received().trailers(), (key, value) -> {
            if (!metadata.has(key)) {
                metadata.add(key, new JsonArray());
            }
            metadata.getAsJsonArray(key).add(value);
        });
        if (metadata.size() > 0) {
            end.add("metadata", metadata);
        }
        return MessageFrames.frame(END_STREAM, end.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Mono<Void> writeError(ServerWebExchange exchange, GatewayExchange state, GatewayError error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            log.debug("response already committed; cannot report {}", error.getMessage());
            return Mono.empty();
        }
        HttpHeaders headers = response.getHeaders();
        MessageCodec.errorHeaders(headers, state, error);
        state.outcome(io.grpc.Status.fromCodeValue(error.status().getCode()).getCode());
        String type = baseType(exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
        if (type != null && type.startsWith(STREAM_PREFIX)) {
            // Stream clients read every error from the end of the stream, behind a 200.
            CallMetadata.forEachRelayable(state.received().headers(), headers::add);
            return MessageCodec.answer(response, HttpStatus.OK, STREAM_JSON.equals(type) ? STREAM_JSON : STREAM_PROTO,
                    endOfStream(error, state));
        }
        relayUnaryMetadata(state, headers);
        return MessageCodec.answer(response, HttpStatusCode.valueOf(error.httpStatus()), JSON,
                errorJson(error.status()).toString().getBytes(StandardCharsets.UTF_8));
    }

    // Connect's error JSON: the code's name, the message, and each detail as its type name, its
    // bytes (base64, unpadded) and, when the type is known, its JSON for people reading it.
    private JsonObject errorJson(Status status) {
        JsonObject error = new JsonObject();
        error.addProperty("code", ConnectCodes.name(status.getCode()));
        if (!status.getMessage().isEmpty()) {
            error.addProperty("message", status.getMessage());
        }
        if (status.getDetailsCount() > 0) {
            JsonArray details = new JsonArray();
            for (Any any : status.getDetailsList()) {
                JsonObject detail = new JsonObject();
                String url = any.getTypeUrl();
                detail.addProperty("type", url.substring(url.lastIndexOf('/') + 1));
                detail.addProperty("value", Base64.getEncoder().withoutPadding().encodeToString(any.getValue().toByteArray()));
                try {
                    JsonObject debug = JsonParser.parseString(detailPrinter.print(any)).getAsJsonObject();
                    debug.remove("@type");
                    detail.add("debug", debug);
                } catch (InvalidProtocolBufferException unknownType) {
                    // The bytes are all a client needs; the readable form is a courtesy.
                }
                details.add(detail);
            }
            error.add("details", details);
        }
        return error;
    }

    private static GatewayError unknownEncoding(String header, String encoding, String acceptHeader) {
        return GatewayError.of(Code.UNIMPLEMENTED, header + ": " + abbreviate(encoding) + " (expected: gzip or identity)")
                .header(acceptHeader, Gzip.NAME);
    }

    // Whether an Accept-Encoding-style list takes gzip: named, with a q-value above 0 if any.
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            // Limit -1 keeps empty pieces: a bare ";" is an empty coding, not an empty array.
            String[] parts = coding.split(";", -1);
            if (!parts[0].trim().equalsIgnoreCase(Gzip.NAME)) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].trim();
                // HTTP's parameter names are case-insensitive: Q=0 refuses gzip as q=0 does.
                if (parameter.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        return Double.parseDouble(parameter.substring(2)) > 0;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
            return true;
        }
        return false;
    }

    // The media type without parameters, lower case; null when absent or when JSON is not UTF-8.
    private static String baseType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        if (type.endsWith("json") && semicolon >= 0
                && WireFormat.supportedMediaType(JSON + contentType.substring(semicolon)) == null) {
            return null;
        }
        return type;
    }

    private static String abbreviate(String value) {
        if (value == null) {
            return "(missing)";
        }
        return value.length() > 40 ? value.substring(0, 40) + "..." : value;
    }
}
