package dev.torii.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Calls {@code GetOffer} through the gateway as a protobuf POST over HTTP/1.1 keep-alive
 * connections, one pooled connection per call in flight, as an HTTP client of the edge would.
 */
final class GatewayHttpTarget implements LoadTarget, AutoCloseable {

    /** The gateway path of the method: the gRPC full method name. */
    static final String PATH = "/" + OfferServiceGrpc.getGetOfferMethod().getFullMethodName();

    private static final String PROTOBUF = "application/x-protobuf";
    private static final byte[] EMPTY = new byte[0];
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final String offerId;
    private final ConnectionProvider pool;
    private final LoopResources loops;
    private final LongAdder connectionsOpened = new LongAdder();
    private final Mono<Answer> exchange;

    /**
     * Creates the target and its connection pool; connections open on first use.
     *
     * @param gateway the gateway's base URI, {@code http://host:port}
     * @param offerId the offer every call reads
     * @param connections the pool size, the number of calls in flight
     * @param threads event-loop threads of the client
     */
    GatewayHttpTarget(URI gateway, String offerId, int connections, int threads) {
        this.offerId = offerId;
        byte[] body = GetOfferRequest.newBuilder().setId(offerId).build().toByteArray();
        InetSocketAddress address = new InetSocketAddress(gateway.getHost(), gateway.getPort());
        this.pool = ConnectionProvider.builder("torii-bench")
                .maxConnections(connections)
                // The closed loop never asks for more than the pool holds; a bound would only add a failure mode.
                .pendingAcquireMaxCount(-1)
                .build();
        this.loops = LoopResources.create("torii-bench-http", threads, true);
        HttpClient client = HttpClient.create(pool)
                .runOn(loops)
                .remoteAddress(() -> address)
                .protocol(HttpProtocol.HTTP11)
                .keepAlive(true)
                // A silent retry would hide a connection the gateway dropped; every failure must count.
                .disableRetry(true)
                .headers(headers -> headers
                        .set(HttpHeaderNames.CONTENT_TYPE, PROTOBUF)
                        .set(HttpHeaderNames.ACCEPT, PROTOBUF)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length))
                // Runs once per new TCP connection; doOnConnected would run on every pool acquisition.
                .doOnChannelInit((observer, channel, remote) -> connectionsOpened.increment());
        // Cold: every subscription sends one more request, so the pipeline is built once, not per call.
        this.exchange = client.post()
                .uri(PATH)
                .send((request, outbound) -> outbound.sendByteArray(Mono.just(body)))
                .responseSingle((response, content) -> content.asByteArray()
                        .defaultIfEmpty(EMPTY)
                        .map(bytes -> new Answer(response.status().code(),
                                response.responseHeaders().get("grpc-status"), bytes)));
    }

    @Override
    public String name() {
        return "gateway";
    }

    @Override
    public void call(Outcome outcome) {
        exchange.subscribe(answer -> check(answer, outcome),
                error -> outcome.failed(error.getClass().getSimpleName() + ": " + error.getMessage()));
    }

    private void check(Answer answer, Outcome outcome) {
        if (answer.status() != 200) {
            outcome.failed("HTTP " + answer.status() + ", grpc-status " + answer.grpcStatus() + " (expected: 200)");
            return;
        }
        try {
            // Parsed like the gRPC stub parses it, so both targets cost the driver the same per answer.
            String id = Offer.parseFrom(answer.body()).getId();
            if (offerId.equals(id)) {
                outcome.succeeded();
            } else {
                outcome.failed("answered offer " + id + " (expected: offer " + offerId + ")");
            }
        } catch (InvalidProtocolBufferException e) {
            outcome.failed("answer of " + answer.body().length + " bytes is not an Offer: " + e.getMessage());
        }
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
     * Closes the pooled connections and stops the client's event loops.
     */
    @Override
    public void close() {
        pool.disposeLater().block(CLOSE_TIMEOUT);
        loops.disposeLater().block(CLOSE_TIMEOUT);
    }

    private record Answer(int status, String grpcStatus, byte[] body) {}
}
