package dev.torii.gateway.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import reactor.core.publisher.Mono;

/**
 * Bridges one asynchronous gRPC unary call to a {@link Mono}: nothing blocks, the call is
 * cancelled when the subscriber goes away (the client hung up), and failures carry the full
 * status and trailers.
 */
public final class UnaryCall {

    private UnaryCall() {}

    /**
     * Calls a unary method with raw message bytes.
     *
     * @param channel the upstream channel
     * @param method the byte-level method
     * @param options deadline and other call options
     * @param headers request metadata
     * @param request the request message bytes
     * @param received receives the upstream's response headers and trailers as they arrive
     * @return the response message bytes, or an {@link UpstreamCallException}
     */
    public static Mono<byte[]> call(Channel channel, MethodDescriptor<byte[], byte[]> method, CallOptions options,
            Metadata headers, byte[] request,
            CallMetadata received) {
        return Mono.create(sink -> {
            ClientCall<byte[], byte[]> call = channel.newCall(method, options);
            sink.onCancel(() -> call.cancel("the client cancelled the request", null));
            try {
                call.start(new ClientCall.Listener<>() {
                    private byte[] response;

                    @Override
                    public void onHeaders(Metadata responseHeaders) {
                        received.headers(responseHeaders);
                    }

                    @Override
                    public void onMessage(byte[] message) {
                        if (response != null) {
                            call.cancel("unary call answered with more than one message", null);
                            return;
                        }
                        response = message;
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        received.trailers(trailers);
                        if (!status.isOk()) {
                            sink.error(new UpstreamCallException(status, trailers));
                        } else if (response == null) {
                            sink.error(new UpstreamCallException(
                                    Status.INTERNAL.withDescription("upstream closed the call without an answer"), trailers));
                        } else {
                            sink.success(response);
                        }
                    }
                }, headers);
                // Two, not one: a second message would be a protocol violation worth seeing.
                call.request(2);
                call.sendMessage(request);
                call.halfClose();
            } catch (RuntimeException e) {
                call.cancel("failed to send the request", e);
                sink.error(e);
            }
        });
    }
}
