package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.testing.DummyAuthority;
import dev.torii.gateway.testing.HttpCalls;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Stops the Authority under a running gateway and starts it again: protected routes answer 503
 * (never 401) while it is away, public routes do not notice, and the gateway recovers by itself.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuthorityOutageIT {

    private static final String WHO_AM_I = "/examples.offer.v1.OfferService/WhoAmI";
    private static final String GET = "/examples.offer.v1.OfferService/GetOffer";

    private static DummyAuthority authority;
    private static OfferServer offers;

    @Autowired
    private Environment environment;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        authority = DummyAuthority.start();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(
                authority.verifierFor("examples.offer.v1.OfferService"), OfferServer.ANONYMOUS_METHODS)));
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target", authority::grpcTarget);
        registry.add("torii.gateway.authority.timeout", () -> "500ms");
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stop() {
        offers.close();
        authority.close();
    }

    @Test
    void protectedRoutesAnswer503WhileTheAuthorityIsAwayAndRecoverAfter() throws Exception {
        HttpCalls http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));
        assertThat(http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:alice").statusCode()).isEqualTo(200);

        authority.stop();
        try {
            long started = System.nanoTime();
            HttpResponse<byte[]> during = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:bob");
            assertThat(during.statusCode()).isEqualTo(503);
            assertThat(during.headers().firstValue("grpc-status")).hasValue("14");
            assertThat(during.headers().firstValue("www-authenticate")).isEmpty();
            assertThat(new String(during.body(), StandardCharsets.UTF_8)).contains("your credential was not rejected",
                    "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"1s\"}");
            assertThat(during.headers().firstValue("retry-after")).hasValue("1");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            assertThat(http.postJson(GET, "{\"id\": \"00000000-0000-4000-8000-000000000000\"}").statusCode())
                    .as("a public route does not need the Authority").isEqualTo(404);
            assertThat(http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:alice").statusCode())
                    .as("a credential exchanged before the outage is still cached").isEqualTo(200);
        } finally {
            authority.startAgain();
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status;
        do {
            status = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:bob").statusCode();
            if (status != 200) {
                Thread.sleep(200);
            }
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).as("the gateway uses the Authority again without a restart").isEqualTo(200);
    }
}
