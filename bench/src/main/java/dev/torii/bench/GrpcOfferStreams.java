package dev.torii.bench;

import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import dev.torii.examples.offer.v1.WatchOffersRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens {@code WatchOffers} streams straight on the offer service with grpc-java, spread over a
 * few channels in turn: the baseline of the streaming comparison.
 */
final class GrpcOfferStreams implements OfferStreams {

    private final List<? extends Channel> channels;
    private final List<ClientCallStreamObserver<WatchOffersRequest>> calls = new ArrayList<>();
    private volatile boolean cancelled;

    /**
     * Creates the stream opener.
     *
     * @param channels the channels to the offer service, each carrying the private token the
     *     service requires, owned by the caller
     */
    GrpcOfferStreams(List<? extends Channel> channels) {
        this.channels = List.copyOf(channels);
    }

    @Override
    public synchronized void open(int count, Listener listener) {
        cancelled = false;
        for (int i = 0; i < count; i++) {
            int stream = i;
            Channel channel = channels.get(i % channels.size());
            ClientCalls.asyncServerStreamingCall(channel.newCall(OfferServiceGrpc.getWatchOffersMethod(),
                    CallOptions.DEFAULT), WatchOffersRequest.getDefaultInstance(),
                    new ClientResponseObserver<WatchOffersRequest, Offer>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<WatchOffersRequest> requestStream) {
                            calls.add(requestStream);
                        }

                        @Override
                        public void onNext(Offer offer) {
                            listener.received(stream, offer);
                        }

                        @Override
                        public void onError(Throwable t) {
                            if (!cancelled) {
                                Status status = Status.fromThrowable(t);
                                listener.ended(stream, "grpc-status " + status.getCode() + ": "
                                        + status.getDescription());
                            }
                        }

                        @Override
                        public void onCompleted() {
                            if (!cancelled) {
                                listener.ended(stream, "grpc-status OK before the stream was cancelled");
                            }
                        }
                    });
        }
    }

    @Override
    public synchronized void cancel() {
        cancelled = true;
        calls.forEach(call -> call.cancel("the bench window is over", null));
        calls.clear();
    }
}
