package dev.torii.examples.offer;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Owns a running offer-service gRPC server: the offer API, the standard health service and
 * server reflection (so grpcurl works against it).
 */
public final class OfferServer implements AutoCloseable {

    /**
     * The methods anyone may call without a private token: the gateway serves GetOffer publicly
     * (routes/offer-service.yaml), so those calls arrive with no identity.
     */
    public static final java.util.Set<String> ANONYMOUS_METHODS =
            java.util.Set.of(dev.torii.examples.offer.v1.OfferServiceGrpc.getGetOfferMethod().getFullMethodName());

    private final Server server;
    private final HealthStatusManager health;
    private final InMemoryOfferService offers;

    private OfferServer(Server server, HealthStatusManager health, InMemoryOfferService offers) {
        this.server = server;
        this.health = health;
        this.offers = offers;
    }

    /**
     * Starts a server on {@code port} (0 picks a free one) with no extra interceptors.
     *
     * @param port the TCP port, or 0 for an ephemeral one
     * @return the running server
     */
    public static OfferServer start(int port) throws IOException {
        return start(port, List.of());
    }

    /**
     * Starts a server on {@code port} (0 picks a free one), wrapping the offer API in
     * {@code interceptors} (for example the private-token verifier), outermost last.
     *
     * @param port the TCP port, or 0 for an ephemeral one
     * @param interceptors interceptors applied to the offer API
     * @return the running server
     */
    public static OfferServer start(int port, List<ServerInterceptor> interceptors) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        List<ServerInterceptor> chain = new ArrayList<>(interceptors);
        // Captures metadata and deadline first, so WhoAmI sees what arrived on the wire.
        chain.add(0, new CallContextInterceptor());
        InMemoryOfferService offers = new InMemoryOfferService();
        Server server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(offers, chain))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build()
                .start();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(InMemoryOfferService.SERVICE_NAME, ServingStatus.SERVING);
        return new OfferServer(server, health, offers);
    }

    /**
     * Returns the port the server listens on.
     *
     * @return the bound port
     */
    public int port() {
        return server.getPort();
    }

    /**
     * Returns how many WatchOffers streams are open on this server.
     *
     * @return the number of open streams
     */
    public int watcherCount() {
        return offers.watcherCount();
    }

    /**
     * Ends every open WatchOffers stream with {@code status}, as a backend failing mid-stream
     * would; the streams' clients see that status, not a clean end.
     *
     * @param status the status the streams end with (not OK)
     */
    public void abortWatchers(io.grpc.Status status) {
        if (status.isOk()) {
            throw new IllegalArgumentException("status: " + status + " (expected: an error)");
        }
        offers.abortWatchers(status);
    }

    /**
     * Blocks until the server has terminated.
     */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /**
     * Stops taking calls, lets in-flight calls finish within {@code grace}, then cancels the rest.
     *
     * @param grace how long in-flight calls may take to finish
     */
    public void close(Duration grace) {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the server at once, cancelling in-flight calls.
     */
    @Override
    public void close() {
        close(Duration.ZERO);
    }
}
