package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BenchOfferTest {

    private static final String OFFER_ID = "offer-1";
    private static final String POLICY = "\"examples.offer.v1.OfferService/GetOffer\";q=1000000;w=1";

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void trafficGatewayMustAnswerWithARateLimitAndTheBaselineWithout() throws Exception {
        AtomicReference<String> asked = new AtomicReference<>();
        URI limited = gateway(200, Map.of("RateLimit-Policy", POLICY, "RateLimit", "\"examples.offer.v1.OfferService/GetOffer\";r=999999;t=1"), asked);

        assertThat(BenchOffer.requireRateLimit(limited, OFFER_ID, true)).isEqualTo(POLICY);
        assertThat(asked.get()).isEqualTo(OFFER_ID);
        assertThatThrownBy(() -> BenchOffer.requireRateLimit(limited, OFFER_ID, false))
                .hasMessage("GetOffer on " + limited + " answered RateLimit-Policy: " + POLICY + " (expected: no rate limit,"
                        + " from a gateway started with --torii.gateway.routes-dir=bench/routes-plain)");
    }

    @Test
    void baselineMustAnswerWithoutARateLimit() throws Exception {
        URI plain = gateway(200, Map.of(), new AtomicReference<>());

        assertThat(BenchOffer.requireRateLimit(plain, OFFER_ID, false)).isNull();
        assertThatThrownBy(() -> BenchOffer.requireRateLimit(plain, OFFER_ID, true))
                .hasMessage("GetOffer on " + plain + " answered without RateLimit-Policy (expected: a rate-limited"
                        + " route, from a gateway started with --torii.gateway.routes-dir=bench/routes-traffic)");
    }

    @Test
    void anAnswerOtherThan200FailsWithTheGatewaysReasonEvenWithTheHeader() throws Exception {
        URI refusing = gateway(429, Map.of("RateLimit-Policy", POLICY, "grpc-status", "8",
                "grpc-message", "rate limit reached"), new AtomicReference<>());

        assertThatThrownBy(() -> BenchOffer.requireRateLimit(refusing, OFFER_ID, true))
                .hasMessage("GetOffer without a credential on " + refusing + " failed: HTTP 429, grpc-status 8:"
                        + " rate limit reached (expected: 200)");
    }

    // A real HTTP server standing in for a gateway: answers GetOffer with the offer asked for, the
    // given status and headers, and records which offer id the request carried.
    private URI gateway(int status, Map<String, String> headers, AtomicReference<String> asked) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(GatewayHttpTarget.PATH, exchange -> {
            String id = GetOfferRequest.parseFrom(exchange.getRequestBody().readAllBytes()).getId();
            asked.set(id);
            byte[] body = Offer.newBuilder().setId(id).build().toByteArray();
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }
}
