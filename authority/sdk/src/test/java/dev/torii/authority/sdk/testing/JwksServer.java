package dev.torii.authority.sdk.testing;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the Authority's HTTP side over real HTTP on an ephemeral port: serves a JWKS the test can
 * change at any time, counts every fetch, and can fail on demand. It also serves an "attacker"
 * JWKS, whose fetch count must stay zero: nothing should ever follow a token's {@code jku} or
 * {@code x5u} header there.
 */
public final class JwksServer implements AutoCloseable {

    /** Path of the real JWKS, as the Authority publishes it. */
    public static final String JWKS_PATH = "/.well-known/jwks.json";

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger attackerRequests = new AtomicInteger();
    private volatile String jwksJson = new JWKSet().toString();
    private volatile String attackerJwksJson = new JWKSet().toString();
    private volatile int failureStatus;

    private JwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(JWKS_PATH, exchange -> {
            requests.incrementAndGet();
            int status = failureStatus;
            if (status != 0) {
                respond(exchange, status, "{\"error\":\"down\"}");
            } else {
                respond(exchange, 200, jwksJson);
            }
        });
        server.createContext("/attacker/", exchange -> {
            attackerRequests.incrementAndGet();
            respond(exchange, 200, attackerJwksJson);
        });
        server.start();
    }

    /**
     * Starts a server publishing an empty JWKS.
     *
     * @return the running server
     */
    public static JwksServer start() throws IOException {
        return new JwksServer();
    }

    /**
     * Returns the JWKS URL.
     *
     * @return {@code http://127.0.0.1:<port>/.well-known/jwks.json}
     */
    public URI jwksUri() {
        return URI.create(issuer() + JWKS_PATH);
    }

    /**
     * Returns the issuer the test Authority puts in its tokens: its base URL.
     *
     * @return {@code http://127.0.0.1:<port>}
     */
    public String issuer() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /**
     * Returns an attacker-controlled URL on this server, for {@code jku} and {@code x5u} headers.
     *
     * @param name the last path segment
     * @return a URL whose fetches {@link #attackerFetches()} counts
     */
    public URI attackerUri(String name) {
        return URI.create(issuer() + "/attacker/" + name);
    }

    /**
     * Publishes the public parts of {@code keys}; later fetches return them.
     *
     * @param keys the keys, private or public
     */
    public void publish(JWK... keys) {
        jwksJson = new JWKSet(List.of(keys)).toString(true);
    }

    /**
     * Serves the public parts of {@code keys} at the attacker URL.
     *
     * @param keys the attacker's keys
     */
    public void publishAttackerKeys(JWK... keys) {
        attackerJwksJson = new JWKSet(List.of(keys)).toString(true);
    }

    /**
     * Makes every JWKS fetch fail with {@code status}, or succeed again with 0.
     *
     * @param status an HTTP status such as 503, or 0 to serve the JWKS
     */
    public void failWith(int status) {
        failureStatus = status;
    }

    /**
     * Returns how many times the JWKS was requested, failed requests included.
     *
     * @return the request count
     */
    public int fetches() {
        return requests.get();
    }

    /**
     * Returns how many times anything fetched an attacker URL.
     *
     * @return the request count
     */
    public int attackerFetches() {
        return attackerRequests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
