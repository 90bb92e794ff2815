package dev.torii.examples.offer;

import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Runs the example offer service on its own: {@code java -jar offer-service.jar [port]}.
 *
 * <p>The port comes from the first argument, else {@code OFFER_SERVICE_PORT}, else 50051. With
 * {@code TORII_AUTHORITY_JWKS_URI} set, every call must carry a private token for
 * {@code OFFER_SERVICE_AUDIENCE} (default {@code examples.offer.v1.OfferService}) issued by
 * {@code TORII_AUTHORITY_ISSUER} (default {@code http://localhost:9091}), verified with
 * authority/sdk.
 */
public final class OfferServiceMain {

    static {
        // The jar is also a test library for other modules; its logging setup applies only when
        // it runs as the service, so it is not called logback.xml.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "offer-service-logback.xml");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(OfferServiceMain.class);
    private static final int DEFAULT_PORT = 50051;
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private OfferServiceMain() {}

    /**
     * Starts the server and blocks until the process is asked to stop.
     *
     * @param args optional port
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        int port = port(args);
        List<ServerInterceptor> interceptors = new ArrayList<>();
        String jwks = System.getenv("TORII_AUTHORITY_JWKS_URI");
        if (jwks != null && !jwks.isBlank()) {
            String issuer = env("TORII_AUTHORITY_ISSUER", "http://localhost:9091");
            String audience = env("OFFER_SERVICE_AUDIENCE", "examples.offer.v1.OfferService");
            PrivateTokenVerifier verifier = PrivateTokenVerifier.builder()
                    .jwksUri(URI.create(jwks)).issuer(issuer).audience(audience).build();
            interceptors.add(new PrivateTokenServerInterceptor(verifier, OfferServer.ANONYMOUS_METHODS));
            log.info("private tokens required: issuer {}, audience {}, keys from {}", issuer, audience, jwks);
        } else {
            log.warn("TORII_AUTHORITY_JWKS_URI is not set: calls are accepted without a private token and the"
                    + " caller is anonymous");
        }
        OfferServer server = OfferServer.start(port, interceptors);
        log.info("offer service listening on port {} (gRPC, plaintext)", server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down; in-flight calls get {}", SHUTDOWN_GRACE);
            server.close(SHUTDOWN_GRACE);
        }, "offer-service-shutdown"));
        server.awaitTermination();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static int port(String[] args) {
        String value = args.length > 0 ? args[0] : System.getenv("OFFER_SERVICE_PORT");
        if (value == null || value.isBlank()) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port: " + value + " (expected: 0 to 65535)", e);
        }
    }
}
