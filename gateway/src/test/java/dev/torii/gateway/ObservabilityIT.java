package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.authority.testing.RedisServerProcess;
import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.testing.DummyAuthority;
import dev.torii.gateway.testing.HttpCalls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an operator sees: the Prometheus metrics after real traffic (per route and upstream, the
 * private-token cache and the Authority, rate-limit decisions, circuit breakers, the Redis
 * fallback, route reloads, upstream health), the W3C trace context reaching the upstream, and the
 * JSON access log, which never holds a credential. One gateway, the example offer service
 * verifying private tokens, authorizer-dummy and a real Redis, all on ephemeral ports.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {

    private static final String WHO_AM_I = "/examples.offer.v1.OfferService/WhoAmI";
    private static final String GET = "/examples.offer.v1.OfferService/GetOffer";
    private static final String AUDIENCE = "examples.offer.v1.OfferService";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN_ID = "00f067aa0ba902b7";

    private static DummyAuthority authority;
    private static OfferServer offers;
    private static RedisServerProcess redis;
    private static Path routes;
    private static ConfigurableApplicationContext gateway;
    private static HttpCalls http;
    private static int managementPort;

    @BeforeAll
    static void start() throws IOException {
        authority = DummyAuthority.start();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(authority.verifierFor(AUDIENCE),
                OfferServer.ANONYMOUS_METHODS)));
        redis = RedisServerProcess.start();
        routes = Files.createTempDirectory("torii-observability");
        Files.writeString(routes.resolve("offer-service.yaml"), """
                service: examples.offer.v1.OfferService
                upstream: {target: "localhost:%d"}
                timeout: 5s
                auth: {users: {}}
                methods:
                  - name: GetOffer
                    auth: public
                  - name: WhoAmI
                    rateLimit: {key: user, rate: 1000, period: 1s}
                """.formatted(offers.port()));
        gateway = new SpringApplicationBuilder(GatewayApplication.class).run("--server.port=0",
                "--management.server.port=0", "--torii.gateway.routes-dir=" + routes,
                "--torii.gateway.authority.target=" + authority.grpcTarget(),
                "--torii.gateway.redis.uri=" + redis.uri(),
                "--torii.gateway.reload.poll-interval=200ms");
        http = new HttpCalls(gateway.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
        managementPort = gateway.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        redis.close();
        offers.close();
        authority.close();
    }

    @Test
    @Order(1)
    void metricsDescribeRealTrafficWithBoundedLabels() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:metrics-user").statusCode())
                    .isEqualTo(200);
        }
        assertThat(http.postJson(GET, "{\"id\": \"00000000-0000-4000-8000-000000000000\"}").statusCode()).isEqualTo(404);
        assertThat(http.postJson("/no.such.Service/Method", "{}").statusCode()).isEqualTo(404);
        assertThat(http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer not-a-dummy-token").statusCode())
                .isEqualTo(401);

        String metrics = scrape();

        String route = "route=\"" + WHO_AM_I + "\"";
        String upstream = "upstream=\"localhost:" + offers.port() + "\"";
        assertThat(series(metrics, "torii_gateway_requests_seconds_count", route, upstream, "status=\"200\"",
                "grpc_code=\"OK\"")).isGreaterThanOrEqualTo(5);
        assertThat(series(metrics, "torii_gateway_requests_seconds_count", "route=\"" + GET + "\"", "status=\"404\"",
                "grpc_code=\"NOT_FOUND\"")).isEqualTo(1);
        assertThat(series(metrics, "torii_gateway_requests_seconds_count", "route=\"unmatched\"", "upstream=\"none\"",
                "status=\"404\"")).isGreaterThanOrEqualTo(1);
        assertThat(series(metrics, "torii_gateway_requests_seconds_count", route, "status=\"401\"",
                "grpc_code=\"UNAUTHENTICATED\"")).isEqualTo(1);
        assertThat(series(metrics, "torii_gateway_requests_seconds_bucket", route, "status=\"200\"", "le=\"30.0\""))
                .as("a latency histogram").isGreaterThanOrEqualTo(5);
        assertThat(series(metrics, "torii_gateway_upstream_calls_seconds_count", route, upstream, "grpc_code=\"OK\""))
                .isGreaterThanOrEqualTo(5);
        assertThat(series(metrics, "torii_gateway_upstream_calls_seconds_count", "route=\"" + GET + "\"",
                "grpc_code=\"NOT_FOUND\"")).isEqualTo(1);
        // Five calls with one credential: one exchange, four cache hits.
        assertThat(series(metrics, "torii_gateway_exchange_cache_total", "result=\"miss\"")).isGreaterThanOrEqualTo(1);
        assertThat(series(metrics, "torii_gateway_exchange_cache_total", "result=\"hit\"")).isGreaterThanOrEqualTo(4);
        assertThat(series(metrics, "torii_gateway_authority_exchange_seconds_count", "grpc_code=\"OK\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(series(metrics, "torii_gateway_authority_exchange_seconds_count", "grpc_code=\"UNAUTHENTICATED\""))
                .isEqualTo(1);
        assertThat(series(metrics, "torii_gateway_ratelimit_decisions_total", route, "decision=\"allowed\"",
                "store=\"redis\"")).isGreaterThanOrEqualTo(5);
        assertThat(series(metrics, "resilience4j_circuitbreaker_state", "name=\"localhost:" + offers.port() + "\"",
                "state=\"closed\"")).isEqualTo(1);
        assertThat(series(metrics, "resilience4j_bulkhead_available_concurrent_calls",
                "name=\"localhost:" + offers.port() + "\"")).isPositive();
        assertThat(series(metrics, "torii_gateway_ratelimit_redis_fallback")).isZero();
        assertThat(series(metrics, "torii_gateway_routes")).isEqualTo(2);
        assertThat(series(metrics, "torii_gateway_route_reloads_total", "result=\"rejected\"")).isNotNegative();

        // Bounded labels: no user, credential, request id or raw unmatched path in any series.
        assertThat(metrics).doesNotContain("metrics-user", "not-a-dummy-token", "no.such.Service");
    }

    @Test
    void upstreamHealthIsAGaugePerUpstream() throws Exception {
        String upstream = "upstream=\"localhost:" + offers.port() + "\"";
        awaitMetric("torii_gateway_upstream_up", 1, upstream);
    }

    @Test
    void theClientsTraceContinuesToTheUpstream() {
        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:tracer",
                "traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN_ID + "-01");

        assertThat(response.statusCode()).isEqualTo(200);
        Matcher traceparent = Pattern.compile("\"traceparent\":\"00-([0-9a-f]{32})-([0-9a-f]{16})-01\"")
                .matcher(body(response));
        assertThat(traceparent.find()).as(body(response)).isTrue();
        assertThat(traceparent.group(1)).as("the client's trace").isEqualTo(TRACE_ID);
        assertThat(traceparent.group(2)).as("the gateway's own span as the parent").isNotEqualTo(CLIENT_SPAN_ID);
    }

    @Test
    void aRequestWithoutTraceStillGivesTheUpstreamATraceContext() {
        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:untraced");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body(response)).containsPattern("\"traceparent\":\"00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\"");
    }

    @Test
    void theAccessLogIsOneJsonLinePerRequestWithoutCredentials(CapturedOutput output) throws Exception {
        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:log-user",
                "traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN_ID + "-01");
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();

        String line = awaitLine(output, requestId);
        assertThat(line).startsWith("{").endsWith("}")
                .contains("\"logger_name\":\"torii.access\"", "\"request_id\":\"" + requestId + "\"",
                        "\"trace_id\":\"" + TRACE_ID + "\"", "\"route\":\"" + WHO_AM_I + "\"", "\"status\":200",
                        "\"grpc_code\":\"OK\"", "\"caller\":\"user\"", "\"latency_ms\":")
                .doesNotContain("dummy:log-user", "Bearer");
        JsonNode fields = JsonMapper.builder().build().readTree(line);
        assertThat(Instant.parse(fields.get("@timestamp").asString())).isBetween(Instant.now().minusSeconds(60),
                Instant.now());
        assertThat(fields.get("message").asString())
                .startsWith("POST " + WHO_AM_I + " 200 OK ")
                .contains("request_id=" + requestId, "trace_id=" + TRACE_ID, "caller=user");
        assertThat(fields.get("latency_ms").asDouble()).isPositive();
    }

    @Test
    void reloadsAreCountedAndARejectedOneIsFlagged() throws Exception {
        Path broken = routes.resolve("broken.yaml");
        Files.writeString(broken, "service: no.such.Service\nupstream: {target: \"localhost:1\"}\n");
        try {
            awaitMetric("torii_gateway_route_reload_failing", 1);
            assertThat(series(scrape(), "torii_gateway_route_reloads_total", "result=\"rejected\"")).isPositive();
        } finally {
            Files.delete(broken);
        }
        awaitMetric("torii_gateway_route_reload_failing", 0);
        assertThat(series(scrape(), "torii_gateway_route_reloads_total", "result=\"loaded\"")).isPositive();
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void aRedisOutageShowsAsTheFallbackGauge() throws Exception {
        redis.stop();
        try {
            // Limited requests go on, on local buckets, while the gauge says so.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (series(scrape(), "torii_gateway_ratelimit_redis_fallback") != 1 && System.nanoTime() < deadline) {
                assertThat(http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:fallback").statusCode())
                        .isEqualTo(200);
            }
            assertThat(series(scrape(), "torii_gateway_ratelimit_redis_fallback")).isEqualTo(1);
            assertThat(series(scrape(), "torii_gateway_ratelimit_decisions_total", "route=\"" + WHO_AM_I + "\"",
                    "store=\"local\"")).isPositive();
        } finally {
            redis.startProcess();
        }
    }

    private static String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + managementPort + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static void awaitMetric(String name, double expected, String... labels) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        double value = Double.NaN;
        while (System.nanoTime() < deadline) {
            value = series(scrape(), name, labels);
            if (value == expected) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(value).as(name + " " + String.join(",", labels)).isEqualTo(expected);
    }

    private static String awaitLine(CapturedOutput output, String requestId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : output.getOut().split("\n")) {
                if (line.contains("torii.access") && line.contains(requestId)) {
                    return line.strip();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no access-log line for request " + requestId);
    }

    /**
     * Returns the sum of the samples of a metric whose labels include all of the given ones, or
     * -1 when there is none.
     */
    static double series(String metrics, String name, String... labels) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            String labelPart = line.contains("{") ? line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1) : "";
            boolean all = true;
            for (String label : labels) {
                all &= labelPart.contains(label);
            }
            if (all) {
                found = true;
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return found ? sum : -1;
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
