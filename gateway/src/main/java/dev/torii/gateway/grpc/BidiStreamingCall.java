package dev.torii.gateway.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Bridges one asynchronous gRPC bidirectional-streaming call to a {@link Flux} of requests in and
 * a {@link Flux} of responses out, full duplex: responses flow while requests still arrive. Flow
 * control holds both ways: a request message is taken from its publisher only when the call is
 * ready for one ({@link ClientCall#isReady()}, which the callee's own demand drives), and a
 * response is asked of the callee only when the subscriber demands one. Nothing blocks;
 * cancelling the subscription cancels the call, and a failure carries the full status and
 * trailers.
 */
public final class BidiStreamingCall {

    private BidiStreamingCall() {}

    /**
     * Calls a bidirectional-streaming method.
     *
     * @param channel the callee's channel
     * @param method the byte-level method
     * @param options deadline and other call options
     * @param headers request metadata
     * @param requests the request messages; their completion half-closes the call, their failure
     *     cancels it and fails the answer with the same error
     * @param received receives the callee's response headers and trailers as they arrive
     * @return the response messages as they arrive, completing when the callee closes with OK and
     *     failing with an {@link UpstreamCallException} otherwise
     */
    public static Flux<byte[]> call(Channel channel, MethodDescriptor<byte[], byte[]> method, CallOptions options,
            Metadata headers, Flux<byte[]> requests, CallMetadata received) {
        // BUFFER only holds what gRPC delivered on demand: at most what the subscriber requested.
        return Flux.create(sink -> {
            ClientCall<byte[], byte[]> call = channel.newCall(method, options);
            RequestRelay relay = new RequestRelay(call, sink);
            sink.onCancel(() -> {
                relay.dispose();
                call.cancel("the client cancelled the stream", null);
            });
            try {
                call.start(new ClientCall.Listener<>() {
                    @Override
                    public void onHeaders(Metadata responseHeaders) {
                        received.headers(responseHeaders);
                    }

                    @Override
                    public void onMessage(byte[] message) {
                        sink.next(message);
                    }

                    @Override
                    public void onReady() {
                        relay.pull();
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        // The callee is done: nothing more it would read.
                        relay.dispose();
                        received.trailers(trailers);
                        if (status.isOk()) {
                            sink.complete();
                        } else {
                            sink.error(new UpstreamCallException(status, trailers));
                        }
                    }
                }, headers);
                // ClientCall.request may be called from any thread; demand before start is kept
                // by the sink and replayed here.
                sink.onRequest(demand -> call.request(demand > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) demand));
                requests.subscribe(relay);
            } catch (RuntimeException e) {
                call.cancel("failed to start the call", e);
                sink.error(e);
            }
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    // Takes one request message at a time from the publisher, and the next only once the call is
    // ready for it, so a callee that reads slowly holds the client back instead of filling memory.
    private static final class RequestRelay extends BaseSubscriber<byte[]> {

        private final ClientCall<byte[], byte[]> call;
        private final FluxSink<byte[]> answer;
        private final AtomicBoolean asked = new AtomicBoolean();

        RequestRelay(ClientCall<byte[], byte[]> call, FluxSink<byte[]> answer) {
            this.call = call;
            this.answer = answer;
        }

        // Called from the call's onReady and after each message; at most one message is asked for
        // at a time.
        void pull() {
            if (upstream() != null && !isDisposed() && call.isReady() && asked.compareAndSet(false, true)) {
                request(1);
            }
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            pull();
        }

        @Override
        protected void hookOnNext(byte[] message) {
            asked.set(false);
            try {
                call.sendMessage(message);
            } catch (IllegalStateException closed) {
                // Cancelled or closed meanwhile: onClose or the cancellation ends the answer.
                dispose();
                return;
            }
            pull();
        }

        @Override
        protected void hookOnComplete() {
            try {
                call.halfClose();
            } catch (IllegalStateException closed) {
                // Cancelled meanwhile: the answer ends there.
            }
        }

        @Override
        protected void hookOnError(Throwable failure) {
            // The request's error first: the cancellation closes the call with CANCELLED.
            answer.error(failure);
            call.cancel("the request stream failed", failure);
        }
    }
}
