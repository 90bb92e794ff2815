package dev.torii.gateway.testing;

import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authorizer.dummy.AuthorizerDummyApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the real authorizer-dummy in the test JVM on fixed free ports, so it can be stopped and
 * started again at the same address (an Authority outage and its recovery).
 */
public final class DummyAuthority implements AutoCloseable {

    /** The issuer of the tokens it mints. */
    public static final String ISSUER = "http://authority.test";

    private final int grpcPort;
    private final int httpPort;
    private ConfigurableApplicationContext context;

    private DummyAuthority(int grpcPort, int httpPort) {
        this.grpcPort = grpcPort;
        this.httpPort = httpPort;
    }

    /**
     * Starts authorizer-dummy on two free ports.
     *
     * @return the running Authority
     */
    public static DummyAuthority start() throws IOException {
        DummyAuthority authority = new DummyAuthority(freePort(), freePort());
        authority.startAgain();
        return authority;
    }

    /**
     * Starts the Authority (again) on its ports.
     */
    public void startAgain() {
        // The gateway's application.yaml comes first on this classpath, so its readiness group
        // (which names the gateway's routes indicator) is replaced by the Authority's own.
        context = new SpringApplicationBuilder(AuthorizerDummyApplication.class).run("--spring.profiles.active=test",
                "--server.port=" + httpPort, "--torii.authority.grpc.port=" + grpcPort,
                "--torii.authority.issuer=" + ISSUER, "--spring.main.banner-mode=off",
                "--management.endpoint.health.group.readiness.include=readinessState,exchange");
        if (context.getBean(GrpcServerLifecycle.class).port() != grpcPort) {
            throw new IllegalStateException("authorizer-dummy did not bind port " + grpcPort);
        }
    }

    /**
     * Stops the Authority, as an outage would.
     */
    public void stop() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

    /**
     * Returns the gRPC target the gateway calls.
     *
     * @return {@code localhost:port}
     */
    public String grpcTarget() {
        return "localhost:" + grpcPort;
    }

    /**
     * Builds the verifier a backend with this audience uses.
     *
     * @param audience the backend's service name
     * @return the verifier
     */
    public PrivateTokenVerifier verifierFor(String audience) {
        return PrivateTokenVerifier.builder()
                .jwksUri(URI.create("http://localhost:" + httpPort + "/.well-known/jwks.json"))
                .issuer(ISSUER)
                .audience(audience)
                .build();
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
