package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.examples.offer.OfferServer;
import dev.torii.examples.offer.v1.CreateOfferRequest;
import dev.torii.examples.offer.v1.Money;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import dev.torii.examples.offer.v1.WatchOffersRequest;
import dev.torii.gateway.grpc.MessageFrames;
import dev.torii.gateway.testing.DummyAuthority;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Many streams, each sent a burst of messages as fast as the backend makes them: every message
 * reaches every stream, whatever the protocol. A stream that stops short while its backend keeps
 * sending is a stall in the gateway's demand or flush, which a slow trickle of messages never shows.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StreamBurstIT {

    private static final String WATCH = "/examples.offer.v1.OfferService/WatchOffers";
    private static final int STREAMS = 16;
    private static final int OFFERS = 4_000;
    private static final int CREATORS = 8;

    private static DummyAuthority authority;
    private static OfferServer offers;

    @Autowired
    private Environment environment;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        authority = DummyAuthority.start();
        offers = OfferServer.start(0);
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target", authority::grpcTarget);
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stop() {
        offers.close();
        authority.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/connect+proto", "application/grpc-web+proto"})
    void everyMessageOfABurstReachesEveryStream(String contentType) throws Exception {
        ConnectionProvider pool = ConnectionProvider.builder("burst").maxConnections(STREAMS).build();
        HttpClient client = HttpClient.create(pool).protocol(HttpProtocol.HTTP11)
                .baseUrl("http://localhost:" + environment.getRequiredProperty("local.server.port"));
        byte[] request = MessageFrames.frame(0, WatchOffersRequest.getDefaultInstance().toByteArray());
        List<AtomicInteger> received = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Disposable> streams = new ArrayList<>();
        int watchersBefore = offers.watcherCount();
        for (int i = 0; i < STREAMS; i++) {
            AtomicInteger count = new AtomicInteger();
            received.add(count);
            Envelopes envelopes = new Envelopes(count);
            String user = "burst-" + i;
            streams.add(client.headers(h -> h.set("content-type", contentType).set("x-grpc-web", "1")
                            .set("authorization", "Bearer dummy:" + user + ":"))
                    .post().uri(WATCH)
                    .send((req, out) -> out.sendByteArray(Mono.just(request)))
                    .response((response, body) -> body.doOnNext(envelopes::read).then())
                    .subscribe(ignored -> { }, failure::set));
        }
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", offers.port()).usePlaintext().build();
        ExecutorService creators = Executors.newFixedThreadPool(CREATORS);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> offers.watcherCount() == watchersBefore + STREAMS);
            OfferServiceGrpc.OfferServiceBlockingStub stub = OfferServiceGrpc.newBlockingStub(channel);
            List<CompletableFuture<Void>> created = new ArrayList<>();
            for (int c = 0; c < CREATORS; c++) {
                created.add(CompletableFuture.runAsync(() -> {
                    for (int n = 0; n < OFFERS / CREATORS; n++) {
                        stub.createOffer(CreateOfferRequest.newBuilder().setItemId("item-1").setTitle("Burst")
                                .setPrice(Money.newBuilder().setCurrencyCode("JPY").setUnits(100)).build());
                    }
                }, creators));
            }
            CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(30)).failFast(() -> failure.get() != null)
                    .untilAsserted(() -> assertThat(received).allSatisfy(count -> assertThat(count).hasValue(OFFERS)));
        } finally {
            streams.forEach(Disposable::dispose);
            creators.shutdownNow();
            channel.shutdownNow();
            pool.dispose();
        }
    }

    // Counts the message envelopes of one stream's body, however its chunks split them.
    private static final class Envelopes {
        private final AtomicInteger messages;
        private final byte[] header = new byte[5];
        private int headerRead;
        private long payloadLeft;

        Envelopes(AtomicInteger messages) {
            this.messages = messages;
        }

        void read(ByteBuf chunk) {
            while (chunk.isReadable()) {
                if (payloadLeft > 0) {
                    int skip = (int) Math.min(payloadLeft, chunk.readableBytes());
                    chunk.skipBytes(skip);
                    payloadLeft -= skip;
                    continue;
                }
                header[headerRead++] = chunk.readByte();
                if (headerRead == header.length) {
                    headerRead = 0;
                    payloadLeft = ((header[1] & 0xffL) << 24) | ((header[2] & 0xff) << 16) | ((header[3] & 0xff) << 8)
                            | (header[4] & 0xff);
                    if (header[0] == 0) {
                        messages.incrementAndGet();
                    }
                }
            }
        }
    }
}
