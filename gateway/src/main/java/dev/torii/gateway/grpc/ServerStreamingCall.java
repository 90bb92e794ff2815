package dev.torii.gateway.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Bridges one asynchronous gRPC server-streaming call to a {@link Flux}, with flow control end to
 * end: the call asks the upstream for exactly as many messages as the subscriber demands (gRPC's
 * own window then holds the upstream back), so a slow client slows its own stream and never fills
 * the gateway's memory. Nothing blocks; cancelling the subscription cancels the call (the client
 * went away), and a failure carries the full status and trailers.
 */
public final class ServerStreamingCall {

    private ServerStreamingCall() {}

    /**
     * Calls a server-streaming method with one request message.
     *
     * @param channel the upstream channel
     * @param method the byte-level method
     * @param options deadline and other call options
     * @param headers request metadata
     * @param request the request message bytes
     * @param received receives the upstream's response headers and trailers as they arrive
     * @return the response messages as they arrive, completing when the upstream closes with OK
     *     and failing with an {@link UpstreamCallException} otherwise
     */
    public static Flux<byte[]> call(Channel channel, MethodDescriptor<byte[], byte[]> method, CallOptions options,
            Metadata headers, byte[] request,
            CallMetadata received) {
        // BUFFER only holds what gRPC delivered on demand: at most what the subscriber requested.
        return Flux.create(sink -> {
            ClientCall<byte[], byte[]> call = channel.newCall(method, options);
            sink.onCancel(() -> call.cancel("the client cancelled the stream", null));
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
                    public void onClose(Status status, Metadata trailers) {
                        received.trailers(trailers);
                        if (status.isOk()) {
                            sink.complete();
                        } else {
                            sink.error(new UpstreamCallException(status, trailers));
                        }
                    }
                }, headers);
                call.sendMessage(request);
                call.halfClose();
                // ClientCall.request may be called from any thread; demand before start is kept
                // by the sink and replayed here.
                sink.onRequest(demand -> call.request(demand > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) demand));
            } catch (RuntimeException e) {
                call.cancel("failed to send the request", e);
                sink.error(e);
            }
        }, FluxSink.OverflowStrategy.BUFFER);
    }
}
