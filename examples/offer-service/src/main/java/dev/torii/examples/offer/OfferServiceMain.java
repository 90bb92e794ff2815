package dev.torii.examples.offer;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Runs the example offer service on its own: {@code java -jar offer-service.jar [port]}.
 *
 * <p>The port comes from the first argument, else {@code OFFER_SERVICE_PORT}, else 50051.
 */
public final class OfferServiceMain {

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
        OfferServer server = OfferServer.start(port);
        log.info("offer service listening on port {} (gRPC, plaintext)", server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down; in-flight calls get {}", SHUTDOWN_GRACE);
            server.close(SHUTDOWN_GRACE);
        }, "offer-service-shutdown"));
        server.awaitTermination();
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
