package dev.torii.gateway.warmup;

import dev.torii.gateway.exchange.WarmUpKey;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Sends the warm-up's synthetic calls to the gateway's own public port over the loopback address,
 * as the gateway's clients would, cycling through every protocol it serves: the legacy dialect
 * with protobuf and JSON bodies, Connect unary (binary and JSON), REST, native gRPC over h2c
 * (grpc-java), gRPC-Web, and server streams in each of gRPC, Connect, gRPC-Web and REST. HTTP
 * calls go through Reactor Netty's client on the gateway's own event loops, gRPC through a
 * grpc-java channel; nothing blocks an event loop.
 *
 * <p>Every call carries the {@link WarmUpKey}, which alone lets it reach the warm-up routes, and
 * a trace context of the warm-up's own ({@link WarmUpKey#tracePrefix}): one call in
 * {@value #SAMPLED_EVERY} sampled, so the recording of spans gets compiled as the gateway's
 * sampling makes clients' requests run it, and the rest not. No warm-up span is exported. Each
 * answer is checked: a call that fails fails the warm-up.
 */
final class WarmUpCalls implements AutoCloseable {

    // One round of the cycle. The legacy dialect with protobuf bodies, what most of today's
    // clients speak, takes the largest share: the JIT's optimizing tier wants about 10,000 calls of
    // a method before it compiles it, and a share per form would give no form that many within
    // the warm-up. Every other form gets at least one call a round (null: the next stream).
    private static final Kind[] ROUND = {
        Kind.LEGACY_PROTOBUF, Kind.LEGACY_JSON, Kind.LEGACY_PROTOBUF, Kind.CONNECT_PROTO, Kind.LEGACY_PROTOBUF,
        Kind.GRPC, Kind.LEGACY_PROTOBUF, Kind.REST, Kind.LEGACY_PROTOBUF, Kind.LEGACY_JSON, Kind.LEGACY_PROTOBUF,
        Kind.GRPC_WEB, Kind.LEGACY_PROTOBUF, Kind.CONNECT_JSON, Kind.LEGACY_PROTOBUF, null};
    private static final Kind[] STREAMS = {Kind.GRPC_STREAM, Kind.CONNECT_STREAM, Kind.GRPC_WEB_STREAM,
        Kind.REST_STREAM};

    private static final String CHECK = "/" + HealthGrpc.getCheckMethod().getFullMethodName();
    private static final String WATCH = "/" + HealthGrpc.getWatchMethod().getFullMethodName();
    // Any service name: the built-in backend answers SERVING for each.
    private static final String SERVICE = "warm-up";
    private static final HealthCheckRequest REQUEST = HealthCheckRequest.newBuilder().setService(SERVICE).build();
    private static final byte[] PROTOBUF = REQUEST.toByteArray();
    private static final byte[] JSON = ("{\"service\":\"" + SERVICE + "\"}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_SHOWN = 200;
    // The status line of gRPC-Web's trailer frame, when the call went well.
    private static final Pattern GRPC_WEB_OK = Pattern.compile("(?i)grpc-status: ?0\r\n");
    // Far above a loopback call's milliseconds; a call this slow is a broken warm-up.
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    // A fraction of the JIT's window, so the warm-up ends soon after the JIT has caught up.
    private static final Duration SETTLE_POLL = Duration.ofMillis(250);

    /** The form of one warm-up call. */
    enum Kind {
        LEGACY_PROTOBUF, LEGACY_JSON, CONNECT_PROTO, CONNECT_JSON, REST, GRPC, GRPC_WEB,
        GRPC_STREAM, CONNECT_STREAM, GRPC_WEB_STREAM, REST_STREAM
    }

    /** One call in this many carries a sampled trace context. */
    static final int SAMPLED_EVERY = 8;

    private final String keyHeader;
    private final String sampled;
    private final String unsampled;
    private final ConnectionProvider connections;
    private final HttpClient http;
    private final ManagedChannel channel;
    private final Channel grpc;
    private final Channel grpcSampled;
    private final AtomicLong answered = new AtomicLong();

    /**
     * Connects nothing yet: connections open with the first calls.
     *
     * @param host the address the gateway's public port listens on
     * @param port the public port
     * @param key the key every call carries
     * @param loops the gateway's event loops, which the HTTP client runs on
     * @param concurrency calls in flight at once, and so HTTP/1.1 connections at most
     */
    WarmUpCalls(String host, int port, WarmUpKey key, LoopResources loops, int concurrency) {
        this.keyHeader = key.secret();
        // W3C trace context in the warm-up's traces; the gateway follows the caller's sampling.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String context = "00-" + key.tracePrefix() + HexFormat.of().toHexDigits(random.nextLong() | 1) + "-"
                + HexFormat.of().toHexDigits(random.nextLong() | 1);
        this.sampled = context + "-01";
        this.unsampled = context + "-00";
        this.connections = ConnectionProvider.builder("torii-warm-up").maxConnections(concurrency)
                .pendingAcquireMaxCount(-1).build();
        this.http = HttpClient.create(connections)
                .runOn(loops)
                .protocol(HttpProtocol.HTTP11)
                .baseUrl("http://" + hostForUri(host) + ":" + port)
                .responseTimeout(CALL_TIMEOUT)
                .headers(headers -> headers.set(WarmUpKey.HEADER, keyHeader));
        this.channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
        this.grpc = withHeaders(channel, keyHeader, unsampled);
        this.grpcSampled = withHeaders(channel, keyHeader, sampled);
    }

    private static Channel withHeaders(Channel channel, String key, String traceparent) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of(WarmUpKey.HEADER, Metadata.ASCII_STRING_MARSHALLER), key);
        metadata.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceparent);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata));
    }

    /**
     * Returns the form of the {@code index}-th call.
     *
     * @param index the call's number, from 0
     * @return its kind
     */
    static Kind kind(long index) {
        Kind kind = ROUND[(int) (index % ROUND.length)];
        return kind != null ? kind : STREAMS[(int) ((index / ROUND.length) % STREAMS.length)];
    }

    /**
     * Sends calls, {@code concurrency} in flight at once, until {@code calls} have been answered
     * and the JIT has caught up with them, until {@code budget} has passed, or until {@code stop}
     * fires.
     *
     * @param calls how many calls to send at least
     * @param concurrency calls in flight at once
     * @param budget the longest the calls may take together
     * @param jit tells whether the JIT has caught up
     * @param stop ends the calls early, such as when the gateway shuts down
     * @return the calls answered; fails with the first call that failed
     */
    Mono<Long> run(long calls, int concurrency, Duration budget, JitActivity jit, Mono<Void> stop) {
        // Polled on a timer thread of Reactor's, never on an event loop.
        Mono<Long> caughtUp = Flux.interval(SETTLE_POLL)
                .filter(tick -> answered.get() >= calls && jit.settled())
                .next();
        return Flux.range(0, Integer.MAX_VALUE)
                .flatMap(i -> call(kind(i), i % SAMPLED_EVERY == SAMPLED_EVERY - 1), concurrency)
                .take(budget)
                .takeUntilOther(caughtUp)
                .takeUntilOther(stop)
                .then(Mono.fromSupplier(answered::get));
    }

    /**
     * Returns the calls answered so far.
     *
     * @return the count
     */
    long answered() {
        return answered.get();
    }

    // One call of a kind, completing empty once its answer was checked.
    private Mono<Void> call(Kind kind, boolean sampledCall) {
        String trace = sampledCall ? sampled : unsampled;
        Channel grpcChannel = sampledCall ? grpcSampled : grpc;
        Mono<Void> call = switch (kind) {
            case LEGACY_PROTOBUF -> post(kind, CHECK, "application/x-protobuf", PROTOBUF, false, trace);
            case LEGACY_JSON -> post(kind, CHECK, "application/json", JSON, false, trace);
            case CONNECT_PROTO -> post(kind, CHECK, "application/proto", PROTOBUF, true, trace);
            case CONNECT_JSON -> post(kind, CHECK, "application/json", JSON, true, trace);
            case GRPC_WEB -> post(kind, CHECK, "application/grpc-web+proto", frame(PROTOBUF), false, trace);
            case CONNECT_STREAM -> post(kind, WATCH, "application/connect+proto", frame(PROTOBUF), false, trace);
            case GRPC_WEB_STREAM -> post(kind, WATCH, "application/grpc-web+proto", frame(PROTOBUF), false, trace);
            case REST -> get(kind, WarmUpRoutes.REST_CHECK + SERVICE, trace);
            case REST_STREAM -> get(kind, WarmUpRoutes.REST_CHECK + SERVICE + WarmUpRoutes.REST_WATCH_VERB, trace);
            case GRPC -> grpcCheck(grpcChannel);
            case GRPC_STREAM -> grpcWatch(grpcChannel);
        };
        return call.doOnSuccess(done -> answered.incrementAndGet());
    }

    private Mono<Void> post(Kind kind, String path, String contentType, byte[] body, boolean connect,
            String traceparent) {
        return http.headers(headers -> {
                    headers.set("content-type", contentType).set("accept", contentType).set("traceparent", traceparent);
                    if (connect) {
                        headers.set("connect-protocol-version", "1");
                    }
                })
                .request(HttpMethod.POST)
                .uri(path)
                .send((request, out) -> out.sendByteArray(Mono.just(body)))
                .responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(EMPTY)
                        .flatMap(answer -> check(kind, response.status().code(), answer)));
    }

    private Mono<Void> get(Kind kind, String path, String traceparent) {
        return http.headers(headers -> headers.set("accept", "application/json").set("traceparent", traceparent))
                .get()
                .uri(path)
                .responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(EMPTY)
                        .flatMap(answer -> check(kind, response.status().code(), answer)));
    }

    // Every form answers 200 when the call went well; where errors travel inside a 200 (gRPC-Web's
    // trailer frame, Connect's end-of-stream message, an NDJSON error line), the body tells.
    private static Mono<Void> check(Kind kind, int status, byte[] answer) {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        boolean ok = status == 200 && switch (kind) {
            case LEGACY_PROTOBUF, CONNECT_PROTO -> serving(answer);
            case LEGACY_JSON, CONNECT_JSON, REST -> text.contains("\"SERVING\"");
            case GRPC_WEB, GRPC_WEB_STREAM -> GRPC_WEB_OK.matcher(text).find();
            case CONNECT_STREAM -> !text.contains("\"error\"") && answer.length > 0;
            case REST_STREAM -> !text.contains("{\"error\":") && count(text, "\"SERVING\"")
                    == WarmUpBackend.WATCH_MESSAGES;
            case GRPC, GRPC_STREAM -> false;
        };
        if (ok) {
            return Mono.empty();
        }
        return Mono.error(new IllegalStateException(kind + " call answered HTTP " + status + ": "
                + (text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text)));
    }

    private static boolean serving(byte[] answer) {
        try {
            return HealthCheckResponse.parseFrom(answer).getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return false;
        }
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    // The length-prefixed message of gRPC-Web and Connect streams: flags, length, message.
    private static byte[] frame(byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
    }

    private static Mono<Void> grpcCheck(Channel grpc) {
        return Mono.create(sink -> {
            ClientCall<HealthCheckRequest, HealthCheckResponse> call =
                    grpc.newCall(HealthGrpc.getCheckMethod(), callOptions());
            sink.onCancel(() -> call.cancel("the warm-up is over", null));
            ClientCalls.asyncUnaryCall(call, REQUEST, new StreamObserver<HealthCheckResponse>() {
                private boolean serving;

                @Override
                public void onNext(HealthCheckResponse value) {
                    serving = value.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
                }

                @Override
                public void onError(Throwable t) {
                    sink.error(new IllegalStateException(Kind.GRPC + " call failed: " + t, t));
                }

                @Override
                public void onCompleted() {
                    if (serving) {
                        sink.success();
                    } else {
                        sink.error(new IllegalStateException(Kind.GRPC + " call answered no SERVING"));
                    }
                }
            });
        });
    }

    private static Mono<Void> grpcWatch(Channel grpc) {
        return Mono.create(sink -> {
            ClientCall<HealthCheckRequest, HealthCheckResponse> call =
                    grpc.newCall(HealthGrpc.getWatchMethod(), callOptions());
            sink.onCancel(() -> call.cancel("the warm-up is over", null));
            ClientCalls.asyncServerStreamingCall(call, REQUEST, new StreamObserver<HealthCheckResponse>() {
                private int messages;

                @Override
                public void onNext(HealthCheckResponse value) {
                    messages++;
                }

                @Override
                public void onError(Throwable t) {
                    sink.error(new IllegalStateException(Kind.GRPC_STREAM + " call failed: " + t, t));
                }

                @Override
                public void onCompleted() {
                    if (messages == WarmUpBackend.WATCH_MESSAGES) {
                        sink.success();
                    } else {
                        sink.error(new IllegalStateException(Kind.GRPC_STREAM + " call answered " + messages
                                + " messages (expected: " + WarmUpBackend.WATCH_MESSAGES + ")"));
                    }
                }
            });
        });
    }

    private static CallOptions callOptions() {
        return CallOptions.DEFAULT.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String hostForUri(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /**
     * Closes the gRPC channel and the HTTP connections; calls still in flight are cancelled.
     */
    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.disposeLater().block(Duration.ofSeconds(2));
    }
}
