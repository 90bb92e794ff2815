package dev.torii.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import dev.torii.examples.offer.v1.WatchOffersRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Opens {@code WatchOffers} streams through the gateway as a Connect client does
 * ({@code application/connect+proto}, one enveloped request, one envelope per offer, an
 * end-of-stream envelope last), each on its own HTTP/1.1 connection, with a credential the
 * gateway exchanges for the private token the offer service requires.
 */
final class ConnectOfferStreams implements OfferStreams, AutoCloseable {

    /** The gateway path of the method. */
    static final String PATH = "/" + OfferServiceGrpc.getWatchOffersMethod().getFullMethodName();

    private static final String STREAM_PROTO = "application/connect+proto";
    private static final int END_STREAM = 0x02;
    // An offer is about 150 bytes; anything near this is not one.
    private static final int MAX_ENVELOPE = 64 * 1024;
    private static final int MAX_REASON = 300;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client;
    private final ConnectionProvider pool;
    private final LoopResources loops;
    private final byte[] request;
    private final List<Disposable> streams = new ArrayList<>();
    private volatile boolean cancelled;

    /**
     * Creates the stream opener; connections open with the streams.
     *
     * @param gateway the gateway's base URI, {@code http://host:port}
     * @param credential sent as {@code Authorization: Bearer <credential>}
     * @param maxStreams the most streams open at once
     * @param threads event-loop threads of the client
     */
    ConnectOfferStreams(URI gateway, String credential, int maxStreams, int threads) {
        InetSocketAddress address = new InetSocketAddress(gateway.getHost(), gateway.getPort());
        this.pool = ConnectionProvider.builder("torii-bench-streams").maxConnections(maxStreams)
                .pendingAcquireMaxCount(-1).build();
        this.loops = LoopResources.create("torii-bench-streams", threads, true);
        byte[] request = envelope(WatchOffersRequest.getDefaultInstance().toByteArray());
        this.client = HttpClient.create(pool)
                .runOn(loops)
                .remoteAddress(() -> address)
                .protocol(HttpProtocol.HTTP11)
                .disableRetry(true)
                .headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, STREAM_PROTO)
                        .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + credential)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, request.length));
        this.request = request;
    }

    @Override
    public synchronized void open(int count, Listener listener) {
        cancelled = false;
        for (int i = 0; i < count; i++) {
            int stream = i;
            EnvelopeReader reader = new EnvelopeReader(MAX_ENVELOPE);
            Flux<Void> body = client.post()
                    .uri(PATH)
                    .send((req, outbound) -> outbound.sendByteArray(Mono.just(request)))
                    .response((response, content) -> {
                        if (response.status().code() != 200) {
                            return content.aggregate().asString().defaultIfEmpty("")
                                    .flatMap(text -> Mono.error(new IllegalStateException("HTTP "
                                            + response.status().code() + ": " + cut(text) + " (expected: 200)")));
                        }
                        // Each chunk is read before the handler returns: Reactor Netty releases it afterwards.
                        return content.doOnNext(chunk -> reader.read(chunk,
                                (flags, payload) -> envelope(stream, flags, payload, listener))).then();
                    });
            streams.add(body.subscribe(ignored -> { }, error -> {
                if (!cancelled) {
                    listener.ended(stream, error.getClass().getSimpleName() + ": " + error.getMessage());
                }
            }, () -> {
                if (!cancelled) {
                    listener.ended(stream, reader.partial() ? "the body ended inside an envelope"
                            : "the body ended without an end-of-stream envelope");
                }
            }));
        }
    }

    private void envelope(int stream, int flags, byte[] payload, Listener listener) {
        if (cancelled) {
            return;
        }
        if ((flags & END_STREAM) != 0) {
            listener.ended(stream, "end of stream " + cut(new String(payload, StandardCharsets.UTF_8)));
            return;
        }
        if (flags != 0) {
            listener.ended(stream, "envelope flags " + flags + " (expected: 0, as no compression was offered)");
            return;
        }
        try {
            // Parsed like the gRPC stub parses each message, so both ways cost the driver the same.
            listener.received(stream, Offer.parseFrom(payload));
        } catch (InvalidProtocolBufferException e) {
            listener.ended(stream, "envelope of " + payload.length + " bytes is not an Offer: " + e.getMessage());
        }
    }

    @Override
    public synchronized void cancel() {
        cancelled = true;
        streams.forEach(Disposable::dispose);
        streams.clear();
    }

    /**
     * Cancels any open stream, closes the connections and stops the client's event loops.
     */
    @Override
    public void close() {
        cancel();
        pool.disposeLater().block(CLOSE_TIMEOUT);
        loops.disposeLater().block(CLOSE_TIMEOUT);
    }

    // A message envelope: flags 0, the length big-endian, the message.
    static byte[] envelope(byte[] message) {
        byte[] envelope = new byte[5 + message.length];
        envelope[1] = (byte) (message.length >>> 24);
        envelope[2] = (byte) (message.length >>> 16);
        envelope[3] = (byte) (message.length >>> 8);
        envelope[4] = (byte) message.length;
        System.arraycopy(message, 0, envelope, 5, message.length);
        return envelope;
    }

    private static String cut(String text) {
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text;
    }
}
