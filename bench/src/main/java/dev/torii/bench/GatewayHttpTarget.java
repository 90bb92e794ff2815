package dev.torii.bench;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Calls {@code GetOffer} through a gateway as an HTTP client of the edge would: a POST in the
 * legacy dialect with a protobuf ({@code application/x-protobuf}) or JSON
 * ({@code application/json}) body, in Connect's binary form ({@code application/proto} with
 * {@code Connect-Protocol-Version: 1}, as connect-es, connect-kotlin and connect-swift send it),
 * or as REST, a GET of the offer's path from {@code google.api.http}; over HTTP/1.1 keep-alive
 * connections (one pooled connection per call in flight) or over h2c with prior knowledge (a few
 * connections, the calls multiplexed on them, as a gRPC client would). With extra headers such as a credential, it
 * measures the gateway's authenticated path.
 */
final class GatewayHttpTarget implements LoadTarget, AutoCloseable {

    /** The gateway path of the method: the gRPC full method name. */
    static final String PATH = "/" + OfferServiceGrpc.getGetOfferMethod().getFullMethodName();

    private static final String JSON_TYPE = "application/json";
    private static final byte[] EMPTY = new byte[0];
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_MESSAGE = 200;

    /**
     * The form of a call: the request's method, path, headers and body for an offer, and the
     * encoding of the answer.
     */
    enum Dialect {
        /** The gateway's own dialect: a bare protobuf body, errors in {@code grpc-status} headers. */
        LEGACY(Encoding.PROTOBUF) {
            @Override
            Request request(String offerId) {
                return Request.post(PATH, "application/x-protobuf", protobuf(offerId), Map.of());
            }
        },
        /** Connect's unary binary form; errors come as Connect's error JSON. */
        CONNECT(Encoding.PROTOBUF) {
            @Override
            Request request(String offerId) {
                return Request.post(PATH, "application/proto", protobuf(offerId),
                        Map.of("connect-protocol-version", "1"));
            }
        },
        /** The legacy dialect with JSON bodies: the request and the answer in the proto3 JSON mapping. */
        JSON(Encoding.JSON) {
            @Override
            Request request(String offerId) {
                // Offer ids are UUIDs, which JSON strings hold without escapes.
                byte[] body = ("{\"id\":\"" + offerId + "\"}").getBytes(StandardCharsets.UTF_8);
                return Request.post(PATH, JSON_TYPE, body, Map.of());
            }
        },
        /**
         * The method's REST binding from {@code google.api.http}: a GET of the offer's resource path,
         * without a body, answered in the proto3 JSON mapping.
         */
        REST(Encoding.JSON) {
            @Override
            Request request(String offerId) {
                return Request.bodiless(HttpMethod.GET, restPath(offerId), JSON_TYPE);
            }
        };

        // The variable of GetOffer's REST path template that the offer id fills.
        private static final String ID_VARIABLE = "{id}";

        private final Encoding answer;

        Dialect(Encoding answer) {
            this.answer = answer;
        }

        /**
         * Returns the request that reads an offer in this dialect.
         *
         * @param offerId the offer to read
         * @return the method, path, headers and body to send
         */
        abstract Request request(String offerId);

        /**
         * Returns how the answer's body encodes the offer.
         *
         * @return protobuf or JSON
         */
        Encoding answer() {
            return answer;
        }

        private static byte[] protobuf(String offerId) {
            return GetOfferRequest.newBuilder().setId(offerId).build().toByteArray();
        }

        /**
         * Returns GetOffer's REST path template as the proto's {@code google.api.http} option binds it.
         *
         * @return for example {@code /v1/offers/{id}}
         * @throws IllegalStateException if the binding is not a GET of a path with the variable {@code {id}}
         */
        static String restTemplate() {
            MethodDescriptor method = OfferProto.getDescriptor().findServiceByName("OfferService")
                    .findMethodByName(OfferServiceGrpc.getGetOfferMethod().getBareMethodName());
            HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
            if (rule.getPatternCase() != HttpRule.PatternCase.GET || !rule.getGet().contains(ID_VARIABLE)) {
                throw new IllegalStateException("GetOffer's google.api.http binding: " + rule.getPatternCase() + " '"
                        + rule.getGet() + "' (expected: get with a path holding " + ID_VARIABLE
                        + ", such as /v1/offers/{id})");
            }
            return rule.getGet();
        }

        /**
         * Returns the REST path of one offer: GetOffer's path template with the offer's id.
         *
         * @param offerId the offer's id; a UUID, which a path segment holds as it is
         * @return for example {@code /v1/offers/5f0c1a9e-2b7d-4c3e-9a61-0d2f8e4b7c15}
         */
        static String restPath(String offerId) {
            return restTemplate().replace(ID_VARIABLE, offerId);
        }
    }

    /**
     * One call's request, the same for every call of a target.
     *
     * @param method the HTTP method
     * @param path the path, from the gateway's root
     * @param headers the dialect's headers, {@code Content-Length} among them when there is a body
     * @param body the body; empty for a request without one, which then sends none
     */
    record Request(HttpMethod method, String path, Map<String, String> headers, byte[] body) {

        /**
         * Creates a POST whose body is the request message, answered in the same content type.
         *
         * @param path the method's path
         * @param contentType the body's content type, also sent as {@code Accept}
         * @param body the encoded request message
         * @param headers what the dialect sends besides
         * @return the request
         */
        static Request post(String path, String contentType, byte[] body, Map<String, String> headers) {
            Map<String, String> all = new LinkedHashMap<>();
            all.put(HttpHeaderNames.CONTENT_TYPE.toString(), contentType);
            all.put(HttpHeaderNames.ACCEPT.toString(), contentType);
            all.put(HttpHeaderNames.CONTENT_LENGTH.toString(), Integer.toString(body.length));
            all.putAll(headers);
            return new Request(HttpMethod.POST, path, Collections.unmodifiableMap(all), body);
        }

        /**
         * Creates a request without a body, such as a REST GET.
         *
         * @param method the HTTP method
         * @param path the resource's path
         * @param accept the content type the answer should come in
         * @return the request
         */
        static Request bodiless(HttpMethod method, String path, String accept) {
            return new Request(method, path, Map.of(HttpHeaderNames.ACCEPT.toString(), accept), EMPTY);
        }

        /**
         * Returns whether the request carries a body.
         *
         * @return false for a request that sends none, such as a GET
         */
        boolean hasBody() {
            return body.length > 0;
        }
    }

    /**
     * How an answer's body encodes the offer.
     */
    enum Encoding {
        /** The {@code Offer} message's protobuf bytes. */
        PROTOBUF {
            @Override
            String offerId(byte[] body) {
                try {
                    return Offer.parseFrom(body).getId();
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException("answer of " + body.length + " bytes is not an Offer: "
                            + e.getMessage());
                }
            }
        },
        /**
         * The {@code Offer} in the proto3 JSON mapping. Only its {@code id} member is read, with a
         * scan rather than a JSON parser, so a JSON answer costs the driver about what a protobuf
         * one does and the JSON targets' ratio to the protobuf ones shows the gateway's cost.
         */
        JSON {
            @Override
            String offerId(byte[] body) {
                String json = new String(body, StandardCharsets.UTF_8);
                String id = jsonId(json);
                if (id == null) {
                    throw new IllegalArgumentException("answer of " + body.length + " bytes is not a JSON Offer"
                            + " (expected: an object with an \"id\" string): " + excerpt(json));
                }
                return id;
            }
        };

        /**
         * Reads the id of the offer an answer carries.
         *
         * @param body the answer's body
         * @return the offer's id
         * @throws IllegalArgumentException saying why the body is not an offer
         */
        abstract String offerId(byte[] body);

        /**
         * Returns the string value of an object's {@code "id"} member in a JSON text, found with a
         * scan: enough for the offer the gateway prints, not a JSON parser.
         *
         * @param json the text
         * @return the value, or null when the text is not an object with an {@code "id"} string
         */
        static String jsonId(String json) {
            int start = skipSpace(json, 0);
            if (start == json.length() || json.charAt(start) != '{') {
                return null;
            }
            for (int key = json.indexOf("\"id\"", start); key >= 0; key = json.indexOf("\"id\"", key + 1)) {
                int colon = skipSpace(json, key + 4);
                if (colon < json.length() && json.charAt(colon) == ':') {
                    int open = skipSpace(json, colon + 1);
                    int close = open < json.length() && json.charAt(open) == '"' ? json.indexOf('"', open + 1) : -1;
                    if (close > open) {
                        return json.substring(open + 1, close);
                    }
                }
            }
            return null;
        }

        private static int skipSpace(String text, int from) {
            int i = from;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            return i;
        }
    }

    /**
     * The HTTP version the calls travel over.
     */
    enum Transport {
        /** HTTP/1.1, one keep-alive connection per call in flight. */
        HTTP11("HTTP/1.1"),
        /** Cleartext HTTP/2 with prior knowledge, calls multiplexed on a few connections. */
        H2C("h2c");

        private final String label;

        Transport(String label) {
            this.label = label;
        }

        /**
         * Returns the name the report prints, such as {@code HTTP/1.1}.
         *
         * @return the label
         */
        String label() {
            return label;
        }
    }

    private final String name;
    private final String offerId;
    private final Encoding answer;
    private final Transport transport;
    private final int connections;
    private final List<ConnectionProvider> pools = new ArrayList<>();
    private final LoopResources loops;
    private final LongAdder connectionsOpened = new LongAdder();
    private final List<Mono<Answer>> exchanges = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    /**
     * Creates the target and its connection pool; connections open on first use.
     *
     * @param name the name the report uses, such as {@code gateway}
     * @param gateway the gateway's base URI, {@code http://host:port}
     * @param offerId the offer every call reads
     * @param dialect the request's form
     * @param transport HTTP/1.1 or h2c
     * @param connections HTTP/1.1: the pool size, the number of calls in flight; h2c: the
     *     number of connections the calls are spread over
     * @param threads event-loop threads of the client
     * @param extraHeaders headers every call also sends, such as {@code Authorization}; may be empty
     */
    GatewayHttpTarget(String name, URI gateway, String offerId, Dialect dialect, Transport transport,
            int connections, int threads, Map<String, String> extraHeaders) {
        this.name = name;
        this.offerId = offerId;
        this.transport = transport;
        this.connections = connections;
        this.answer = dialect.answer();
        Request request = dialect.request(offerId);
        InetSocketAddress address = new InetSocketAddress(gateway.getHost(), gateway.getPort());
        this.loops = LoopResources.create("torii-bench-" + name, threads, true);
        // h2c: one pool of one connection per client, used in turn, since an HTTP/2 pool opens a
        // second connection only once the first has as many streams as the server allows.
        int clients = transport == Transport.H2C ? connections : 1;
        for (int i = 0; i < clients; i++) {
            ConnectionProvider pool = ConnectionProvider.builder("torii-bench-" + name + "-" + i)
                    .maxConnections(transport == Transport.H2C ? 1 : connections)
                    // The closed loop never asks for more than the pool holds; a bound would only add a failure mode.
                    .pendingAcquireMaxCount(-1)
                    .build();
            pools.add(pool);
            HttpClient client = HttpClient.create(pool)
                    .runOn(loops)
                    .remoteAddress(() -> address)
                    .protocol(transport == Transport.H2C ? HttpProtocol.H2C : HttpProtocol.HTTP11)
                    .keepAlive(true)
                    // A silent retry would hide a connection the gateway dropped; every failure must count.
                    .disableRetry(true)
                    .headers(headers -> {
                        request.headers().forEach(headers::set);
                        extraHeaders.forEach(headers::set);
                    })
                    // Runs once per new TCP connection; doOnConnected would run on every pool acquisition.
                    .doOnChannelInit((observer, channel, remote) -> connectionsOpened.increment());
            // Cold: every subscription sends one more request, so the pipeline is built once, not per call.
            HttpClient.RequestSender sender = client.request(request.method()).uri(request.path());
            HttpClient.ResponseReceiver<?> receiver = request.hasBody()
                    ? sender.send((httpRequest, outbound) -> outbound.sendByteArray(Mono.just(request.body())))
                    : sender;
            exchanges.add(receiver.responseSingle((response, content) -> content.asByteArray()
                    .defaultIfEmpty(EMPTY)
                    .map(bytes -> new Answer(response.status().code(),
                            response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE),
                            response.responseHeaders().get("grpc-status"),
                            response.responseHeaders().get("grpc-message"), bytes))));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void call(Outcome outcome) {
        Mono<Answer> exchange = exchanges.size() == 1 ? exchanges.get(0)
                : exchanges.get(Math.floorMod(next.getAndIncrement(), exchanges.size()));
        exchange.subscribe(answer -> check(answer, outcome),
                error -> outcome.failed(error.getClass().getSimpleName() + ": " + error.getMessage()));
    }

    private void check(Answer answer, Outcome outcome) {
        if (answer.status() != 200) {
            String reason = failure(answer.status(), answer.grpcStatus(), answer.grpcMessage());
            // Connect answers errors as JSON in the body, not in grpc-status; the JSON dialects and
            // a server's own error pages answer text too. A protobuf google.rpc.Status body says
            // no more than grpc-message.
            if (answer.body().length > 0 && isText(answer.contentType())) {
                reason += "; body " + excerpt(new String(answer.body(), StandardCharsets.UTF_8));
            }
            outcome.failed(reason);
            return;
        }
        String id;
        try {
            // Protobuf is parsed like the gRPC stub parses it, so those targets cost the driver the
            // same per answer.
            id = this.answer.offerId(answer.body());
        } catch (IllegalArgumentException e) {
            outcome.failed(e.getMessage());
            return;
        }
        if (offerId.equals(id)) {
            outcome.succeeded();
        } else {
            outcome.failed("answered offer " + id + " (expected: offer " + offerId + ")");
        }
    }

    /**
     * Returns whether a content type is text a reason can quote: JSON or {@code text/*}.
     *
     * @param contentType the answer's {@code Content-Type}, or null
     * @return true for {@code application/json} (with any parameters) and {@code text/*}
     */
    static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.trim().toLowerCase(Locale.ROOT);
        return type.startsWith(JSON_TYPE) || type.startsWith("text/");
    }

    /**
     * Returns how many connections the pool opened so far; it stays at the pool size when the
     * gateway keeps connections alive.
     *
     * @return connections opened since the target was created
     */
    long connectionsOpened() {
        return connectionsOpened.sum();
    }

    /**
     * Returns the connections the target is meant to hold open: the HTTP/1.1 pool's size, or the
     * number of h2c connections.
     *
     * @return the intended number of connections
     */
    int connections() {
        return connections;
    }

    /**
     * Returns the HTTP version the calls travel over.
     *
     * @return HTTP/1.1 or h2c
     */
    Transport transport() {
        return transport;
    }

    /**
     * Closes the pooled connections and stops the client's event loops.
     */
    @Override
    public void close() {
        pools.forEach(pool -> pool.disposeLater().block(CLOSE_TIMEOUT));
        loops.disposeLater().block(CLOSE_TIMEOUT);
    }

    // Reasons are grouped by their text; a bounded length keeps a chatty server from filling the report.
    private static String excerpt(String text) {
        return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "..." : text;
    }

    /**
     * Describes an answer other than 200 with the gateway's own reason, so a 401 or 403 says which
     * credential problem it is.
     *
     * @param status the HTTP status
     * @param grpcStatus the {@code grpc-status} header, or null
     * @param grpcMessage the {@code grpc-message} header (percent-encoded), or null
     * @return for example {@code "HTTP 401, grpc-status 16: this method needs a credential (expected: 200)"}
     */
    static String failure(int status, String grpcStatus, String grpcMessage) {
        StringBuilder reason = new StringBuilder("HTTP ").append(status).append(", grpc-status ").append(grpcStatus);
        if (grpcMessage != null && !grpcMessage.isEmpty()) {
            reason.append(": ").append(excerpt(percentDecode(grpcMessage)));
        }
        return reason.append(" (expected: 200)").toString();
    }

    /**
     * Decodes a {@code grpc-message} header: UTF-8 bytes, some of them percent-encoded. Unlike
     * form decoding, a {@code +} stays a plus; a malformed escape is kept as it is.
     *
     * @param encoded the header value
     * @return the message
     */
    static String percentDecode(String encoded) {
        if (encoded.indexOf('%') < 0) {
            return encoded;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            int high = c == '%' && i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
            int low = high < 0 ? -1 : Character.digit(encoded.charAt(i + 2), 16);
            if (low >= 0) {
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                byte[] plain = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(plain, 0, plain.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private record Answer(int status, String contentType, String grpcStatus, String grpcMessage, byte[] body) {}
}
