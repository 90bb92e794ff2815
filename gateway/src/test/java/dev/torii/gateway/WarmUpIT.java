package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.exchange.WarmUpKey;
import dev.torii.gateway.testing.HttpCalls;
import io.grpc.health.v1.HealthCheckRequest;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Starts the real gateway with the warm-up on (the test suite turns it off everywhere else) in
 * front of the example offer service, and checks what a load balancer, a client and an operator
 * see: readiness is OUT_OF_SERVICE while the warm-up runs and UP after; the real routes serve
 * during and after; the built-in backend's routes answer nobody but the warm-up (not without its
 * key, not with a wrong one, not after it), and leave nothing behind on the status page, in the
 * OpenAPI documents, in Prometheus, in the access log or in the
 * spans exported (every client request is sampled here, and one warm-up call in eight).
 */
@ExtendWith(OutputCaptureExtension.class)
class WarmUpIT {

    private static final String CHECK = "/grpc.health.v1.Health/Check";
    private static final String REST_CHECK = "/torii-warm-up/health/probe";
    private static final String CREATE = "/examples.offer.v1.OfferService/CreateOffer";
    private static final String GET = "/examples.offer.v1.OfferService/GetOffer";
    private static final byte[] CHECK_BODY = HealthCheckRequest.newBuilder().setService("probe").build().toByteArray();
    // Far more calls than fit into the time budget: the warm-up lasts the whole budget, so the
    // checks made while it runs cannot race its end.
    private static final Duration BUDGET = Duration.ofSeconds(15);

    private OfferServer offers;
    private ConfigurableApplicationContext gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (offers != null) {
            offers.close();
        }
    }

    @Test
    void readinessWaitsForTheWarmUpWhoseRoutesOnlyItReachesAndWhichLeavesNothingBehind(CapturedOutput output)
            throws IOException {
        offers = OfferServer.start(0);
        Path routes = Files.createTempDirectory("torii-routes");
        Files.writeString(routes.resolve("offer-service.yaml"), """
                service: examples.offer.v1.OfferService
                upstream: {target: "localhost:%d"}
                timeout: 5s
                auth: public
                methods: [CreateOffer, GetOffer]
                """.formatted(offers.port()));
        gateway = new SpringApplicationBuilder(GatewayApplication.class, CollectedSpans.class).run("--server.port=0",
                "--management.tracing.sampling.probability=1.0",
                "--management.server.port=0", "--torii.gateway.routes-dir=" + routes,
                "--torii.gateway.warmup.enabled=true", "--torii.gateway.warmup.calls=100000000",
                "--torii.gateway.warmup.max-duration=" + BUDGET.toMillis() + "ms",
                "--torii.gateway.warmup.concurrency=4");
        HttpCalls http = new HttpCalls(gateway.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
        HttpCalls management = new HttpCalls(gateway.getEnvironment().getRequiredProperty("local.management.port",
                Integer.class));
        String secret = gateway.getBean(WarmUpKey.class).secret();

        // While it runs.
        HttpResponse<byte[]> warming = get(management, "/actuator/health/readiness");
        assertThat(warming.statusCode()).isEqualTo(503);
        assertThat(text(warming)).contains("\"warmup\":{\"details\":", "\"status\":\"OUT_OF_SERVICE\"",
                "\"routes\":{\"details\"");
        assertThat(http.post(CHECK, "application/x-protobuf", CHECK_BODY).statusCode()).isEqualTo(404);
        assertThat(get(http, REST_CHECK).statusCode()).isEqualTo(404);
        assertThat(http.post(CHECK, "application/x-protobuf", CHECK_BODY, WarmUpKey.HEADER, wrong(secret))
                .statusCode()).as("a wrong key").isEqualTo(404);
        // Unsampled, as the warm-up's own calls mostly are (those sampled are in traces of its own).
        assertThat(http.post(CHECK, "application/x-protobuf", CHECK_BODY, WarmUpKey.HEADER, secret, "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00").statusCode())
                .as("the warm-up's own key reaches its backend").isEqualTo(200);
        assertThat(text(get(management, "/actuator/torii/json"))).doesNotContain("grpc.health", "torii-warm-up");
        String offer = createAndRead(http);

        // After it.
        await().atMost(BUDGET.plusSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> get(management, "/actuator/health/readiness").statusCode() == 200);
        String ready = text(get(management, "/actuator/health/readiness"));
        assertThat(ready).contains("\"warmup\":{\"details\":{\"answered\":").doesNotContain("warning");
        assertThat(http.post(CHECK, "application/x-protobuf", CHECK_BODY, WarmUpKey.HEADER, secret).statusCode())
                .as("the key is retired").isEqualTo(404);
        assertThat(http.post(CHECK, "application/x-protobuf", CHECK_BODY).statusCode()).isEqualTo(404);
        assertThat(get(http, REST_CHECK).statusCode()).isEqualTo(404);
        assertThat(text(http.postJson(GET, "{\"id\":\"" + offer + "\"}"))).contains(offer);

        for (String page : new String[] {"/actuator/torii/json", "/actuator/openapi",
                "/actuator/prometheus"}) {
            assertThat(text(get(management, page))).as(page).doesNotContain("grpc.health", "torii-warm-up",
                    "Health/Check", "127.0.0.1");
        }
        assertThat(text(get(management, "/actuator/prometheus"))).contains("torii_gateway_requests_seconds_count");
        // This test's own calls without the key are clients' calls, logged with their 404s; the
        // warm-up's (and the one this test made with the key) are not.
        assertThat(output.getOut()).contains("warm-up: ", CHECK + " 404").doesNotContain(CHECK + " 200",
                "/grpc.health.v1.Health/Watch", "/torii-warm-up/health/warm-up");
        assertThat(output.getOut()).as("the client's calls are logged").contains(CREATE);

        CollectedSpans spans = gateway.getBean(CollectedSpans.class);
        String warmUpTraces = gateway.getBean(WarmUpKey.class).tracePrefix();
        await().atMost(Duration.ofSeconds(20)).until(() -> spans.names().stream().anyMatch(n -> n.endsWith("CreateOffer")));
        assertThat(spans.traceIds()).as("spans exported").isNotEmpty().noneMatch(id -> id.startsWith(warmUpTraces));
        assertThat(spans.names()).noneMatch(name -> name.contains("grpc.health"));
    }

    /** An exporter that keeps what it is given, as an OTLP collector would receive it. */
    @Configuration(proxyBeanMethods = false)
    static class CollectedSpans {

        private final List<SpanData> spans = new CopyOnWriteArrayList<>();

        @Bean
        SpanExporter collectingExporter() {
            return new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> batch) {
                    spans.addAll(batch);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            };
        }

        List<String> names() {
            return spans.stream().map(SpanData::getName).toList();
        }

        List<String> traceIds() {
            return spans.stream().map(SpanData::getTraceId).toList();
        }
    }

    private static String createAndRead(HttpCalls http) {
        HttpResponse<byte[]> created = http.postJson(CREATE,
                "{\"itemId\":\"warm-up-item\",\"title\":\"Offer\",\"price\":{\"currencyCode\":\"JPY\",\"units\":\"100\"}}");
        assertThat(created.statusCode()).isEqualTo(200);
        String id = text(created).replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
        assertThat(text(http.postJson(GET, "{\"id\":\"" + id + "\"}"))).contains(id);
        return id;
    }

    private static HttpResponse<byte[]> get(HttpCalls calls, String path) {
        return calls.send(HttpRequest.newBuilder(URI.create(calls.base() + path)).timeout(Duration.ofSeconds(10))
                .GET().build());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    // The secret with its first digit changed: one hex digit off.
    private static String wrong(String secret) {
        return (secret.charAt(0) == '0' ? "1" : "0") + secret.substring(1);
    }
}
