package dev.torii.gateway.warmup;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The built-in gRPC backend the warm-up calls reach through the gateway: grpc's standard health
 * service ({@code grpc.health.v1.Health}) on the loopback address and an ephemeral port. Its
 * {@code Check} answers SERVING; its {@code Watch} answers SERVING a few times and ends, so a
 * warm-up stream runs its whole course (messages, then the end of the stream) instead of waiting
 * for a change that never comes, as the standard service's watch would.
 *
 * <p>It runs on grpc-java's unshaded Netty transport, as every channel of the gateway does, on
 * grpc's own shared event loops. A second copy of Netty (grpc's shaded
 * one) would cost the process its classes, their compiled code and its own buffer pools: about
 * 23 MiB of resident memory at saturation, for no throughput gained.
 */
final class WarmUpBackend implements AutoCloseable {

    /** Messages each {@code Watch} answers before it ends. */
    static final int WATCH_MESSAGES = 3;

    private final Server server;

    private WarmUpBackend(Server server) {
        this.server = server;
    }

    /**
     * Starts the backend on {@code 127.0.0.1} and a port the system picks.
     *
     * @return the running backend
     * @throws IOException when it cannot bind
     */
    static WarmUpBackend start() throws IOException {
        Server server = NettyServerBuilder
                .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new Health())
                .build()
                .start();
        return new WarmUpBackend(server);
    }

    /**
     * Returns the gRPC target the gateway's warm-up route calls.
     *
     * @return for example {@code 127.0.0.1:40123}
     */
    String target() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    /**
     * Stops the backend: calls still in flight have a second, then are cancelled.
     */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(1, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static final class Health extends HealthGrpc.HealthImplBase {

        private static final HealthCheckResponse SERVING = HealthCheckResponse.newBuilder()
                .setStatus(HealthCheckResponse.ServingStatus.SERVING).build();

        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> answer) {
            answer.onNext(SERVING);
            answer.onCompleted();
        }

        @Override
        public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> answer) {
            for (int i = 0; i < WATCH_MESSAGES; i++) {
                answer.onNext(SERVING);
            }
            answer.onCompleted();
        }
    }
}
