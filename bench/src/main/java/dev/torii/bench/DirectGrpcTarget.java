package dev.torii.bench;

import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * Calls {@code GetOffer} straight on the offer service over one shared gRPC channel: the
 * baseline the gateway is compared against.
 */
final class DirectGrpcTarget implements LoadTarget {

    private final Channel channel;
    private final String offerId;
    private final GetOfferRequest request;

    /**
     * Creates the target.
     *
     * @param channel the channel to the offer service, owned by the caller
     * @param offerId the offer every call reads
     */
    DirectGrpcTarget(Channel channel, String offerId) {
        this.channel = channel;
        this.offerId = offerId;
        this.request = GetOfferRequest.newBuilder().setId(offerId).build();
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public void call(Outcome outcome) {
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
