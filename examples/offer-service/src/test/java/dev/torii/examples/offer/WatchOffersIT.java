package dev.torii.examples.offer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.torii.examples.offer.v1.CreateOfferRequest;
import dev.torii.examples.offer.v1.Money;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import dev.torii.examples.offer.v1.WatchOffersRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Watches offers with grpc-java straight at the offer service: the test hooks other modules use
 * ({@link OfferServer#watcherCount()}, {@link OfferServer#abortWatchers(Status)}) tell the truth.
 */
class WatchOffersIT {

    private OfferServer offers;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        offers = OfferServer.start(0);
        channel = ManagedChannelBuilder.forAddress("localhost", offers.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        offers.close();
    }

    @Test
    void aWatcherIsCountedGetsNewOffersAndEndsWithTheAbortStatus() throws Exception {
        BlockingQueue<Offer> received = new LinkedBlockingQueue<>();
        CompletableFuture<Status> ended = new CompletableFuture<>();
        OfferServiceGrpc.newStub(channel).watchOffers(WatchOffersRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(Offer offer) {
                received.add(offer);
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended.complete(Status.OK);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> offers.watcherCount() == 1);

        Offer created = OfferServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .createOffer(CreateOfferRequest.newBuilder().setItemId("item-1").setTitle("Lamp")
                        .setPrice(Money.newBuilder().setCurrencyCode("JPY").setUnits(500)).build());
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(created);

        offers.abortWatchers(Status.ABORTED.withDescription("watch interrupted"));

        Status status = ended.get(5, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(status.getDescription()).isEqualTo("watch interrupted");
        assertThat(offers.watcherCount()).isZero();
    }

    @Test
    void aCancelledWatcherIsNoLongerCounted() throws Exception {
        // A cancellable context, not a short deadline: a cold JVM may take longer than any short
        // deadline to open the call, and the watcher would come and go before it is looked at.
        Context.CancellableContext watching = Context.current().withCancellation();
        Iterator<Offer> call = watching.call(() -> OfferServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS).watchOffers(WatchOffersRequest.getDefaultInstance()));
        await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() == 1);

        // The client goes away; the server sees the cancellation and forgets its watcher.
        watching.cancel(null);
        catchThrowable(call::hasNext);

        await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() == 0);
    }
}
