package dev.torii.examples.offer;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Keeps the request metadata of each call in the gRPC {@link Context}, so {@code WhoAmI} can echo
 * what the backend actually received.
 */
final class CallContextInterceptor implements ServerInterceptor {

    /** The metadata of the current call. */
    static final Context.Key<Metadata> METADATA = Context.key("torii-example-metadata");

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return Contexts.interceptCall(Context.current().withValue(METADATA, headers), call, headers, next);
    }
}
