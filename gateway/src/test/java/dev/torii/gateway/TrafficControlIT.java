package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.authority.testing.RedisServerProcess;
import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.test.v1.EchoResponse;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.gateway.testing.TestBackend;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs real gateways against real gRPC backends that can be made slow, failing or absent, and a
 * real Redis server that is stopped and started mid-test: rate limits shared by two instances,
 * the Redis failure policy, circuit breakers, budgeted retries, deadlines, the concurrency limit,
 * local/remote upstreams and the developer's explanation of an unreachable upstream. Breakers and
 * the local/remote choice are also read where operators see them: the status page's JSON form.
 */
class TrafficControlIT {

    private static final String ECHO = "/torii.test.v1.TestService/Echo";
    private static final String FAIL = "/torii.test.v1.TestService/Fail";
    private static final String FLAKY = "/torii.test.v1.TestService/Flaky";
    private static final String SLEEP = "/torii.test.v1.TestService/Sleep";
    private static final String GET_OFFER = "/examples.offer.v1.OfferService/GetOffer";

    private static RedisServerProcess redis;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<ConfigurableApplicationContext> gateways = new ArrayList<>();
    private final Map<HttpCalls, HttpCalls> managementPorts = new IdentityHashMap<>();
    private final List<AutoCloseable> backends = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws IOException {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (ConfigurableApplicationContext gateway : gateways) {
            gateway.close();
        }
        for (AutoCloseable backend : backends) {
            backend.close();
        }
    }

    @Test
    void twoInstancesShareOneRateLimitThroughRedis() throws Exception {
        TestBackend backend = backend(TestBackend.start());
        Path routes = routes("""
                service: torii.test.v1.TestService
                upstream: {target: "localhost:%d"}
                auth: public
                rateLimit: {key: "header:X-Tenant", rate: 10, period: 1m}
                methods: [Echo]
                """.formatted(backend.port()));
        HttpCalls first = gateway(routes, "--torii.gateway.redis.uri=" + redis.uri());
        HttpCalls second = gateway(routes, "--torii.gateway.redis.uri=" + redis.uri());

        int allowed = 0;
        for (int i = 0; i < 20; i++) {
            HttpResponse<byte[]> response = (i % 2 == 0 ? first : second).postJson(ECHO, "{}", "X-Tenant", "acme");
            assertThat(response.statusCode()).isIn(200, 429);
            assertThat(response.headers().firstValue("ratelimit-policy")).hasValue("\"torii.test.v1.TestService/Echo\";q=10;w=60");
            assertThat(response.headers().firstValue("ratelimit-limit")).as("the draft -06 trio is not sent by default").isEmpty();
            if (response.statusCode() == 200) {
                assertThat(response.headers().firstValue("ratelimit"))
                        .hasValue("\"torii.test.v1.TestService/Echo\";r=" + (9 - allowed) + ";t=6");
                allowed++;
            } else {
                assertThat(response.headers().firstValue("retry-after")).isPresent();
                assertThat(response.headers().firstValue("ratelimit")).hasValue("\"torii.test.v1.TestService/Echo\";r=0;t="
                        + response.headers().firstValue("retry-after").orElseThrow());
                assertThat(response.headers().firstValue("grpc-status")).hasValue("8");
                assertThat(body(response)).contains("rate limit of torii.test.v1.TestService/Echo reached");
            }
        }
        assertThat(allowed).as("one bucket of 10 for both instances").isEqualTo(10);
        assertThat(first.postJson(ECHO, "{}", "X-Tenant", "other").statusCode()).as("another tenant").isEqualTo(200);
    }

    @Test
    void theLegacyHeadersOnRequestAndA429CarriesRetryInfoInEitherFormat() throws Exception {
        TestBackend backend = backend(TestBackend.start());
        Path routes = routes("""
                service: torii.test.v1.TestService
                upstream: {target: "localhost:%d"}
                auth: public
                rateLimit: {key: "header:X-Tenant", rate: 2, period: 1m, burst: 3}
                methods: [Echo]
                """.formatted(backend.port()));
        HttpCalls both = gateway(routes, "--torii.gateway.rate-limit-headers=both");
        HttpCalls legacy = gateway(routes, "--torii.gateway.rate-limit-headers=legacy");

        HttpResponse<byte[]> first = both.postJson(ECHO, "{}", "X-Tenant", "t1");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("ratelimit-policy")).hasValue("\"torii.test.v1.TestService/Echo\";q=3;w=90");
        assertThat(first.headers().firstValue("ratelimit")).hasValue("\"torii.test.v1.TestService/Echo\";r=2;t=30");
        assertThat(first.headers().firstValue("ratelimit-limit")).hasValue("3");
        assertThat(first.headers().firstValue("ratelimit-remaining")).hasValue("2");
        assertThat(first.headers().firstValue("ratelimit-reset")).hasValue("30");
        HttpResponse<byte[]> old = legacy.postJson(ECHO, "{}", "X-Tenant", "t1");
        assertThat(old.headers().firstValue("ratelimit-limit")).hasValue("3");
        assertThat(old.headers().firstValue("ratelimit-policy")).isEmpty();
        assertThat(old.headers().firstValue("ratelimit")).isEmpty();

        both.postJson(ECHO, "{}", "X-Tenant", "t1");
        both.postJson(ECHO, "{}", "X-Tenant", "t1");
        HttpResponse<byte[]> json = both.postJson(ECHO, "{}", "X-Tenant", "t1");
        HttpResponse<byte[]> protobuf = both.post(ECHO, "application/x-protobuf", new byte[0], "X-Tenant", "t1");

        assertThat(json.statusCode()).isEqualTo(429);
        assertThat(json.headers().firstValue("retry-after")).hasValue("30");
        assertThat(json.headers().firstValue("ratelimit")).hasValue("\"torii.test.v1.TestService/Echo\";r=0;t=30");
        assertThat(JSON.readTree(json.body()).get("details").get(0).toString())
                .isEqualTo("{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"30s\"}");
        assertThat(protobuf.statusCode()).isEqualTo(429);
        com.google.rpc.Status status = com.google.rpc.Status.parseFrom(protobuf.body());
        assertThat(status.getDetails(0).unpack(com.google.rpc.RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(30);
    }

    @Test
    void aRedisOutageFallsBackToLocalBucketsAndRecovers() throws Exception {
        TestBackend backend = backend(TestBackend.start());
        Path routes = routes("""
                service: torii.test.v1.TestService
                upstream: {target: "localhost:%d"}
                auth: public
                rateLimit: {key: "header:X-Tenant", rate: 4, period: 1m}
                methods: [Echo]
                """.formatted(backend.port()));
        HttpCalls first = gateway(routes, "--torii.gateway.redis.uri=" + redis.uri());
        HttpCalls second = gateway(routes, "--torii.gateway.redis.uri=" + redis.uri());
        assertThat(first.postJson(ECHO, "{}", "X-Tenant", "warm-up").statusCode()).isEqualTo(200);

        redis.stop();
        try {
            long started = System.nanoTime();
            int allowed = 0;
            for (int i = 0; i < 10; i++) {
                HttpResponse<byte[]> response = first.postJson(ECHO, "{}", "X-Tenant", "outage");
                assertThat(response.statusCode()).as("never an error because Redis is out").isIn(200, 429);
                allowed += response.statusCode() == 200 ? 1 : 0;
            }
            assertThat(allowed).as("the instance still limits on its own").isEqualTo(4);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        } finally {
            redis.startProcess();
        }

        // The breaker around Redis probes again after 5 s; then both instances share buckets again.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        boolean shared = false;
        int round = 0;
        while (!shared && System.nanoTime() < deadline) {
            String tenant = "after-" + round++;
            int allowed = 0;
            for (int i = 0; i < 8; i++) {
                allowed += (i % 2 == 0 ? first : second).postJson(ECHO, "{}", "X-Tenant", tenant).statusCode() == 200 ? 1 : 0;
            }
            shared = allowed == 4;
            if (!shared) {
                Thread.sleep(500);
            }
        }
        assertThat(shared).as("back to one shared bucket after Redis returned").isTrue();
    }

    @Test
    void theCircuitOpensOnFailuresAnswers503AtOnceAndClosesAfterProbes() throws Exception {
        TestBackend backend = backend(TestBackend.start());
        HttpCalls gateway = gateway(routes("""
                service: torii.test.v1.TestService
                upstream:
                  target: localhost:%d
                  circuitBreaker: {slidingWindowSize: 10, minimumNumberOfCalls: 5, failureRateThreshold: 50,
                                   waitInOpenState: 1s, permittedCallsInHalfOpenState: 2}
                auth: public
                methods: [Echo, Fail]
                """.formatted(backend.port())));
        String target = "localhost:" + backend.port();
        JsonNode fresh = upstreamStatus(gateway, target);
        assertThat(fresh.get("circuit").get("state").asString()).as("closed before the first call").isEqualTo("CLOSED");
        assertThat(fresh.get("circuit").get("failureRate").isNull()).isTrue();
        assertThat(fresh.get("concurrency").get("inFlight").asInt()).isZero();
        assertThat(fresh.get("concurrency").get("max").asInt()).isEqualTo(1000);
        assertThat(fresh.get("localRemote").isEmpty()).as("a plain upstream").isTrue();

        for (int i = 0; i < 5; i++) {
            assertThat(gateway.postJson(FAIL, "{\"code\": 14, \"message\": \"down\"}").statusCode()).isEqualTo(503);
        }
        JsonNode opened = upstreamStatus(gateway, target).get("circuit");
        assertThat(opened.get("state").asString()).isEqualTo("OPEN");
        assertThat(opened.get("failureRate").asDouble()).isEqualTo(100.0);
        assertThat(opened.get("calls").asInt()).isEqualTo(5);
        int callsBefore = backend.calls();
        long started = System.nanoTime();
        HttpResponse<byte[]> open = gateway.postJson(ECHO, "{}");

        assertThat(open.statusCode()).isEqualTo(503);
        assertThat(body(open)).contains("circuit is open");
        assertThat(open.headers().firstValue("retry-after")).hasValue("1");
        assertThat(body(open)).contains("{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"1s\"}");
        assertThat(backend.calls()).as("refused without calling the upstream").isEqualTo(callsBefore);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));

        Thread.sleep(1200);
        assertThat(gateway.postJson(ECHO, "{}").statusCode()).as("half-open probe").isEqualTo(200);
        assertThat(gateway.postJson(ECHO, "{}").statusCode()).as("second probe").isEqualTo(200);
        assertThat(upstreamStatus(gateway, target).get("circuit").get("state").asString()).isEqualTo("CLOSED");
        for (int i = 0; i < 5; i++) {
            assertThat(gateway.postJson(ECHO, "{}").statusCode()).as("closed again").isEqualTo(200);
        }
        assertThat(gateway.postJson(FAIL, "{\"code\": 5, \"message\": \"not found\"}").statusCode())
                .as("answers about the request do not count as failures").isEqualTo(404);
    }

    @Test
    void retriesOnlyWhatIsSafeAndStayWithinTheBudget() throws Exception {
        TestBackend backend = backend(TestBackend.start());
        HttpCalls idempotent = gateway(routes("""
                service: torii.test.v1.TestService
                upstream: {target: "localhost:%d"}
                auth: public
                retry: {attempts: 3, backoff: 5ms, maxBackoff: 20ms}
                methods:
                  - name: Flaky
                    idempotent: true
                  - name: Echo
                """.formatted(backend.port())), "--torii.gateway.retry-budget.ratio=0.1",
                "--torii.gateway.retry-budget.min-per-second=1");

        HttpResponse<byte[]> recovered = idempotent.postJson(FLAKY, "{\"key\": \"a\", \"failures\": 2}");
        assertThat(recovered.statusCode()).isEqualTo(200);
        assertThat(EchoResponseJson.number(body(recovered))).as("answered by the third attempt").isEqualTo(3);

        int before = backend.calls();
        int requests = 60;
        for (int i = 0; i < requests; i++) {
            assertThat(idempotent.postJson(FLAKY, "{\"key\": \"always\", \"failures\": 100000}").statusCode())
                    .isEqualTo(503);
        }
        int attempts = backend.calls() - before;
        // The budget's reserve (10) plus a tenth of the requests, plus the refill while the test runs.
        assertThat(attempts - requests).as("retries").isLessThanOrEqualTo(10 + requests / 10 + 5);

        TestBackend strictBackend = backend(TestBackend.start());
        HttpCalls strict = gateway(routes("""
                service: torii.test.v1.TestService
                upstream: {target: "localhost:%d"}
                auth: public
                retry: {attempts: 3, backoff: 5ms}
                methods: [Flaky]
                """.formatted(strictBackend.port())));
        assertThat(strict.postJson(FLAKY, "{\"key\": \"b\", \"failures\": 1}").statusCode())
                .as("not idempotent: an UNAVAILABLE answer is not retried").isEqualTo(503);
        assertThat(strictBackend.calls()).isEqualTo(1);
    }

    @Test
    void noRequestOutlivesItsDeadlineEvenWithRetries() throws Exception {
        TestBackend backend = backend(TestBackend.start());
        HttpCalls gateway = gateway(routes("""
                service: torii.test.v1.TestService
                upstream: {target: "localhost:%d"}
                auth: public
                timeout: 300ms
                retry: {attempts: 5, backoff: 50ms}
                idempotent: true
                methods: [Sleep, Flaky]
                """.formatted(backend.port())));

        long started = System.nanoTime();
        HttpResponse<byte[]> slow = gateway.postJson(SLEEP, "{\"millis\": 5000}");
        assertThat(slow.statusCode()).isEqualTo(504);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));

        started = System.nanoTime();
        HttpResponse<byte[]> failing = gateway.postJson(FLAKY, "{\"key\": \"k\", \"failures\": 100000}", "grpc-timeout", "200m");
        assertThat(failing.statusCode()).isIn(503, 504);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void anOverloadedUpstreamIsRefusedFastAndDoesNotSlowOtherRoutes() throws Exception {
        TestBackend slowBackend = backend(TestBackend.start());
        OfferServer offers = OfferServer.start(0);
        backends.add(offers);
        Path routes = routes("""
                service: torii.test.v1.TestService
                upstream: {target: "localhost:%d", maxConcurrentCalls: 2}
                auth: public
                timeout: 10s
                methods: [Sleep]
                """.formatted(slowBackend.port()));
        Files.writeString(routes.resolve("offers.yaml"), """
                service: examples.offer.v1.OfferService
                upstream: {target: "localhost:%d"}
                auth: public
                methods: [GetOffer]
                """.formatted(offers.port()));
        HttpCalls gateway = gateway(routes);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> sleeps = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sleeps.add(client.sendAsync(HttpRequest.newBuilder(URI.create(gateway.base() + SLEEP))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"millis\": 1500}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(300);
        long started = System.nanoTime();
        HttpResponse<byte[]> other = gateway.postJson(GET_OFFER, "{\"id\": \"00000000-0000-4000-8000-000000000000\"}");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("another upstream's route").isLessThan(Duration.ofMillis(500));

        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> sleep : sleeps) {
            HttpResponse<String> response = sleep.get();
            statuses.add(response.statusCode());
            if (response.statusCode() == 503) {
                assertThat(response.body()).contains("at its limit of 2 calls in flight");
            }
        }
        assertThat(statuses).containsOnly(200, 503);
        assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(2);
    }

    @Test
    void aLocalTargetIsUsedWhileItAnswersAndTheRemoteOneOtherwise() throws Exception {
        TestBackend remote = backend(TestBackend.start(0, "remote"));
        int localPort = freePort();
        HttpCalls gateway = gateway(routes("""
                service: torii.test.v1.TestService
                upstream:
                  local: {target: "localhost:%d"}
                  remote: {target: "localhost:%d"}
                auth: public
                methods: [Echo]
                """.formatted(localPort, remote.port())), "--torii.gateway.local-upstream-check-interval=200ms");

        assertThat(servedBy(gateway)).isEqualTo("remote");
        String localTarget = "localhost:" + localPort;
        String remoteTarget = "localhost:" + remote.port();
        assertThat(localRemote(gateway, localTarget, remoteTarget).get("inUse").asString()).isEqualTo("remote");
        TestBackend local = TestBackend.start(localPort, "local");
        try {
            assertThat(eventually(() -> servedBy(gateway), "local")).isEqualTo("local");
            // Polled like the calls: on a loaded machine a 200ms health check may time out now and then.
            String inUse = "local, because local answers (it has no health service)";
            assertThat(eventually(() -> {
                JsonNode choice = localRemote(gateway, localTarget, remoteTarget);
                return choice.get("inUse").asString() + ", because " + choice.get("reason").asString();
            }, inUse)).isEqualTo(inUse);
            assertThat(upstreamStatus(gateway, localTarget).get("circuit").get("state").asString())
                    .as("the local target has a breaker of its own").isEqualTo("CLOSED");
        } finally {
            local.close();
        }
        assertThat(eventually(() -> servedBy(gateway), "remote")).isEqualTo("remote");
        assertThat(eventually(() -> localRemote(gateway, localTarget, remoteTarget).get("inUse").asString(), "remote"))
                .isEqualTo("remote");
        assertThat(localRemote(gateway, localTarget, remoteTarget).get("reason").asString())
                .startsWith("local ").doesNotContain("answers (");
    }

    // The pair as the local and the remote target's rows of one status report both show it.
    private JsonNode localRemote(HttpCalls gateway, String local, String remote) {
        JsonNode report = status(gateway);
        JsonNode choice = null;
        for (String target : List.of(local, remote)) {
            JsonNode pairs = upstream(report, target).get("localRemote");
            assertThat(pairs.size()).as("local/remote of " + target).isEqualTo(1);
            assertThat(pairs.get(0).get("local").asString()).isEqualTo(local);
            assertThat(pairs.get(0).get("remote").asString()).isEqualTo(remote);
            if (choice != null) {
                assertThat(pairs.get(0)).isEqualTo(choice);
            }
            choice = pairs.get(0);
        }
        return choice;
    }

    private JsonNode upstreamStatus(HttpCalls gateway, String target) {
        return upstream(status(gateway), target);
    }

    // /actuator/torii/json on the gateway's management port.
    private JsonNode status(HttpCalls gateway) {
        HttpCalls management = managementPorts.get(gateway);
        HttpResponse<byte[]> response = management.send(HttpRequest.newBuilder(
                URI.create(management.base() + "/actuator/torii/json")).GET().build());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static JsonNode upstream(JsonNode report, String target) {
        for (JsonNode upstream : report.get("upstreams")) {
            if (upstream.get("target").asString().equals(target)) {
                return upstream;
            }
        }
        throw new AssertionError("no upstream " + target + " in " + report);
    }

    @Test
    void developerErrorsNameTheServiceAddressAndRouteFile() throws Exception {
        int dead = freePort();
        Path routes = routes("""
                service: examples.offer.v1.OfferService
                upstream: {target: "localhost:%d"}
                auth: public
                methods: [GetOffer]
                """.formatted(dead));
        HttpCalls developer = gateway(routes, "--torii.gateway.developer-errors=true");
        HttpCalls production = gateway(routes);

        HttpResponse<byte[]> json = developer.postJson(GET_OFFER, "{}");
        assertThat(json.statusCode()).isEqualTo(503);
        assertThat(body(json)).contains("localhost:" + dead, "nothing listens there", routes.resolve("service.yaml").toString(),
                "\"reason\":\"UPSTREAM_UNAVAILABLE\"");

        HttpResponse<byte[]> html = developer.send(HttpRequest.newBuilder(URI.create(developer.base() + GET_OFFER))
                .header("Content-Type", "application/json").header("Accept", "text/html,application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(html.statusCode()).isEqualTo(503);
        assertThat(html.headers().firstValue("content-type").orElse("")).startsWith("text/html");
        assertThat(body(html)).contains("<h1>Upstream unreachable</h1>", "examples.offer.v1.OfferService");

        HttpResponse<byte[]> plain = production.postJson(GET_OFFER, "{}", "Accept", "text/html");
        assertThat(body(plain)).doesNotContain("localhost:" + dead, ".yaml").contains("is unavailable");
        assertThat(plain.headers().firstValue("content-type")).hasValue("application/json");
    }

    private String servedBy(HttpCalls gateway) {
        HttpResponse<byte[]> response = gateway.post(ECHO, "application/x-protobuf", new byte[0]);
        assertThat(response.statusCode()).isEqualTo(200);
        try {
            return EchoResponse.parseFrom(response.body()).getServedBy();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String eventually(java.util.function.Supplier<String> probe, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String value = probe.get();
        while (!expected.equals(value) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            value = probe.get();
        }
        return value;
    }

    private <T extends AutoCloseable> T backend(T backend) {
        backends.add(backend);
        return backend;
    }

    private HttpCalls gateway(Path routes, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
                "--torii.gateway.routes-dir=" + routes,
                "--torii.gateway.descriptor-sets=classpath*:META-INF/torii/descriptors/*.binpb,classpath:test-descriptors.binpb"));
        args.addAll(List.of(extra));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .run(args.toArray(String[]::new));
        gateways.add(context);
        HttpCalls gateway = new HttpCalls(context.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
        managementPorts.put(gateway, new HttpCalls(
                context.getEnvironment().getRequiredProperty("local.management.port", Integer.class)));
        return gateway;
    }

    private static Path routes(String content) throws IOException {
        Path dir = Files.createTempDirectory("torii-traffic");
        Files.writeString(dir.resolve("service.yaml"), content);
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** Reads the number field of an EchoResponse printed as proto3 JSON. */
    private static final class EchoResponseJson {
        static long number(String json) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"number\":\"(\\d+)\"").matcher(json);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }
    }
}
