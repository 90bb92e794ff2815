package dev.torii.authority.config;

import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs a gRPC server inside the Spring application: started with the context, stopped
 * gracefully (health goes NOT_SERVING, in-flight calls finish within the grace period) before
 * the beans it uses are destroyed.
 */
public final class GrpcServerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GrpcServerLifecycle.class);

    private final int port;
    private final ServerCredentials credentials;
    private final Duration grace;
    private final List<BindableService> services;
    private final List<ServerInterceptor> interceptors;
    private final HealthStatusManager health = new HealthStatusManager();
    private volatile Server server;

    /**
     * Creates the lifecycle of a plaintext server.
     *
     * @param port the port; 0 picks a free one
     * @param grace how long in-flight calls may finish on stop
     * @param services the services to serve, besides health and reflection
     */
    public GrpcServerLifecycle(int port, Duration grace, List<BindableService> services) {
        this(port, InsecureServerCredentials.create(), grace, services, List.of());
    }

    /**
     * Creates the lifecycle with interceptors around the given services (not health and
     * reflection, whose probes would only crowd the traces and metrics).
     *
     * @param port the port; 0 picks a free one
     * @param credentials plaintext or TLS, as the server should listen
     * @param grace how long in-flight calls may finish on stop
     * @param services the services to serve, besides health and reflection
     * @param interceptors the interceptors of those services, the first one outermost
     */
    public GrpcServerLifecycle(int port, ServerCredentials credentials, Duration grace, List<BindableService> services,
            List<ServerInterceptor> interceptors) {
        this.port = port;
        this.credentials = credentials;
        this.grace = grace;
        this.services = List.copyOf(services);
        this.interceptors = List.copyOf(interceptors);
    }

    @Override
    public void start() {
        ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, credentials)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
        // ServerInterceptors.intercept makes the last interceptor given the outermost one.
        List<ServerInterceptor> outermostLast = new ArrayList<>(interceptors);
        Collections.reverse(outermostLast);
        services.forEach(service -> builder.addService(ServerInterceptors.intercept(service, outermostLast)));
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("gRPC server cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        health.setStatus("", ServingStatus.SERVING);
        services.forEach(s -> health.setStatus(s.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING));
        log.info("gRPC server listening on port {} ({})", server.getPort(), describe(credentials));
    }

    private static String describe(ServerCredentials credentials) {
        if (credentials instanceof TlsServerCredentials tls) {
            return switch (tls.getClientAuth()) {
                case NONE -> "TLS";
                case OPTIONAL -> "TLS, client certificates verified when presented";
                case REQUIRE -> "mutual TLS, client certificates required";
            };
        }
        return "plaintext";
    }

    @Override
    public void stop() {
        Server running = server;
        if (running == null) {
            return;
        }
        health.enterTerminalState();
        running.shutdown();
        try {
            if (!running.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                running.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /**
     * Returns the port the server listens on.
     *
     * @return the bound port, or -1 when not running
     */
    public int port() {
        Server running = server;
        return running == null ? -1 : running.getPort();
    }
}
