package dev.torii.bench;

import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls {@code GetOffer} over gRPC (grpc-java, HTTP/2 without TLS) on a few channels in turn:
 * straight on the offer service, the baseline the gateway is compared against, or on a gRPC proxy
 * in front of it (nginx, HAProxy), its peers. Every such target makes the very same call over the
 * same number of connections, so only the hop behind the port differs.
 */
final class DirectGrpcTarget implements LoadTarget {

    private final String name;
    private final List<? extends Channel> channels;
    private final String offerId;
    private final GetOfferRequest request;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * Creates the target.
     *
     * @param name the name the report uses, such as {@code direct} or {@code nginx}
     * @param channels the channels to call in turn, one connection each, owned by the caller
     * @param offerId the offer every call reads
     */
    DirectGrpcTarget(String name, List<? extends Channel> channels, String offerId) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("channels: empty (expected: at least one)");
        }
        this.name = name;
        this.channels = List.copyOf(channels);
        this.offerId = offerId;
        this.request = GetOfferRequest.newBuilder().setId(offerId).build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void call(Outcome outcome) {
        Channel channel = channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
        ClientCalls.asyncUnaryCall(channel.newCall(OfferServiceGrpc.getGetOfferMethod(), CallOptions.DEFAULT), request,
                new StreamObserver<Offer>() {
                    private Offer offer;

                    @Override
                    public void onNext(Offer value) {
                        offer = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        Status status = Status.fromThrowable(t);
                        outcome.failed("grpc-status " + status.getCode() + ": " + status.getDescription());
                    }

                    @Override
                    public void onCompleted() {
                        String id = offer == null ? null : offer.getId();
                        if (offerId.equals(id)) {
                            outcome.succeeded();
                        } else {
                            outcome.failed("answered offer " + id + " (expected: offer " + offerId + ")");
                        }
                    }
                });
    }
}
