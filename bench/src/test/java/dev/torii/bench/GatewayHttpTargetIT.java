package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loads the JSON dialects against a real HTTP/1.1 server (the JDK's), which answers as the
 * gateway does and records what each call sent.
 */
class GatewayHttpTargetIT {

    private static final String OFFER_ID = "5f0c1a9e-2b7d-4c3e-9a61-0d2f8e4b7c15";
    private static final String OFFER_JSON = "{\"id\":\"" + OFFER_ID + "\",\"itemId\":\"bench-item\"}";

    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private HttpServer server;
    private URI gateway;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/offers/", exchange -> {
            Received call = receive(exchange);
            if (call.path().equals("/v1/offers/" + OFFER_ID)) {
                answer(exchange, 200, Map.of(), OFFER_JSON);
            } else {
                answer(exchange, 404, Map.of("grpc-status", "5", "grpc-message", "offer%20not%20found"),
                        "{\"code\":5,\"message\":\"offer not found\"}");
            }
        });
        server.createContext(GatewayHttpTarget.PATH, exchange -> {
            receive(exchange);
            answer(exchange, 200, Map.of(), OFFER_JSON);
        });
        server.start();
        gateway = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void restGetsTheOffersPathWithoutABodyAndReadsTheJsonAnswer() throws Exception {
        try (GatewayHttpTarget rest = target(GatewayHttpTarget.Dialect.REST, OFFER_ID)) {
            assertThat(call(rest)).isNull();
        }

        Received call = received.remove();
        assertThat(call.method()).isEqualTo("GET");
        assertThat(call.path()).isEqualTo("/v1/offers/" + OFFER_ID);
        assertThat(call.contentType()).isNull();
        assertThat(call.contentLength()).isNull();
        assertThat(call.accept()).isEqualTo("application/json");
        assertThat(call.body()).isEmpty();
    }

    @Test
    void restErrorIsReportedWithItsStatusAndBody() throws Exception {
        try (GatewayHttpTarget rest = target(GatewayHttpTarget.Dialect.REST, "missing")) {
            assertThat(call(rest)).isEqualTo("HTTP 404, grpc-status 5: offer not found (expected: 200);"
                    + " body {\"code\":5,\"message\":\"offer not found\"}");
        }
    }

    @Test
    void jsonPostsTheIdToTheMethodsPathAndReadsTheJsonAnswer() throws Exception {
        try (GatewayHttpTarget json = target(GatewayHttpTarget.Dialect.JSON, OFFER_ID)) {
            assertThat(call(json)).isNull();
        }

        Received call = received.remove();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo(GatewayHttpTarget.PATH);
        assertThat(call.contentType()).isEqualTo("application/json");
        assertThat(call.contentLength()).isEqualTo("45");
        assertThat(call.body()).isEqualTo("{\"id\":\"" + OFFER_ID + "\"}");
    }

    private GatewayHttpTarget target(GatewayHttpTarget.Dialect dialect, String offerId) {
        return new GatewayHttpTarget(dialect.name().toLowerCase(Locale.ROOT), gateway, offerId, dialect,
                GatewayHttpTarget.Transport.HTTP11, 1, 1, Map.of());
    }

    // The failure reason, or null when the call succeeded.
    private static String call(GatewayHttpTarget target) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        target.call(new LoadTarget.Outcome() {
            @Override
            public void succeeded() {
                outcome.complete(null);
            }

            @Override
            public void failed(String reason) {
                outcome.complete(reason);
            }
        });
        return outcome.get(10, TimeUnit.SECONDS);
    }

    private Received receive(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Received call = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Content-Length"), exchange.getRequestHeaders().getFirst("Accept"),
                body);
        received.add(call);
        return call;
    }

    private static void answer(HttpExchange exchange, int status, Map<String, String> headers, String json)
            throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private record Received(String method, String path, String contentType, String contentLength, String accept,
            String body) {}
}
