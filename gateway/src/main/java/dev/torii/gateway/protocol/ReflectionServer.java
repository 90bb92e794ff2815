package dev.torii.gateway.protocol;

import dev.torii.gateway.grpc.BidiStreamingCall;
import dev.torii.gateway.grpc.ByteArrayMarshaller;
import dev.torii.gateway.grpc.CallMetadata;
import dev.torii.gateway.route.RouteRegistry;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;

/**
 * gRPC server reflection ({@code grpc.reflection.v1} and the older {@code v1alpha} that grpcurl
 * and Postman still try first) for the services the routes in force expose, answered by
 * grpc-java's own reflection services on an in-process server, so the gateway does not write the
 * protocol. That server's mutable services are the routed ones ({@link RoutedServices}), whose
 * descriptors come from the descriptor sets the gateway loaded; services no route names are not
 * listed. Each client stream is relayed frame by frame to one in-process call.
 */
public final class ReflectionServer implements AutoCloseable {

    /** The reflection method's path in each version. */
    static final Map<String, MethodDescriptor<byte[], byte[]>> METHODS = Map.of(
            "/" + io.grpc.reflection.v1.ServerReflectionGrpc.getServerReflectionInfoMethod().getFullMethodName(),
            method(io.grpc.reflection.v1.ServerReflectionGrpc.getServerReflectionInfoMethod()),
            "/" + io.grpc.reflection.v1alpha.ServerReflectionGrpc.getServerReflectionInfoMethod().getFullMethodName(),
            method(io.grpc.reflection.v1alpha.ServerReflectionGrpc.getServerReflectionInfoMethod()));

    private static final Set<String> SERVICES = Set.of(io.grpc.reflection.v1.ServerReflectionGrpc.SERVICE_NAME,
            io.grpc.reflection.v1alpha.ServerReflectionGrpc.SERVICE_NAME);

    private final Server server;
    private final ManagedChannel channel;

    /**
     * Starts the in-process server.
     *
     * @param routes the table in force, read on every reflection stream
     */
    @SuppressWarnings("deprecation") // ProtoReflectionService is v1alpha, deprecated but still what grpcurl asks first
    public ReflectionServer(RouteRegistry routes) {
        String name = "torii-reflection-" + UUID.randomUUID();
        // Direct executors: a reflection answer is a few descriptor lookups and never blocks, so
        // it runs on the thread that delivered the client's frame instead of hopping threads.
        try {
            this.server = InProcessServerBuilder.forName(name)
                    .directExecutor()
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .addService(io.grpc.protobuf.services.ProtoReflectionService.newInstance())
                    .fallbackHandlerRegistry(new RoutedServices(routes, SERVICES))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("in-process reflection server " + name + ": " + e.getMessage(), e);
        }
        this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    /**
     * Tells whether a request path is the reflection method of a version the server answers.
     *
     * @param path the request path
     * @return whether it is
     */
    static boolean serves(String path) {
        return METHODS.containsKey(path);
    }

    /**
     * Relays one reflection stream to the in-process server.
     *
     * @param path the request path, one that {@link #serves(String)}
     * @param requests the client's request messages
     * @param options the call's deadline
     * @param received receives the answer's headers and trailers
     * @return the response messages, one per request
     */
    Flux<byte[]> call(String path, Flux<byte[]> requests, CallOptions options, CallMetadata received) {
        return BidiStreamingCall.call(channel, METHODS.get(path), options, new Metadata(), requests, received);
    }

    /**
     * Stops the server; streams still open end with UNAVAILABLE.
     */
    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            server.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MethodDescriptor<byte[], byte[]> method(MethodDescriptor<?, ?> typed) {
        return ByteArrayMarshaller.method(typed.getFullMethodName(), MethodDescriptor.MethodType.BIDI_STREAMING);
    }
}
