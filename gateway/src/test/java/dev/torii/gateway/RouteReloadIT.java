package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.reload.RouteReloader;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.testing.ConfigMapFolder;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.gateway.testing.TestBackend;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Changes the routes folder of a running gateway the way a Kubernetes ConfigMap update does,
 * with real gRPC backends behind it, and checks what clients and operators see: a good set is
 * swapped in under load without a failed request, a bad one changes nothing and is reported, and
 * the channel of an upstream no route uses any more is closed.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class RouteReloadIT {

    private static final String ECHO = "/torii.test.v1.TestService/Echo";
    private static final String SLEEP = "/torii.test.v1.TestService/Sleep";
    private static final String GET_OFFER = "/examples.offer.v1.OfferService/GetOffer";
    private static final String WHO_AM_I = "/examples.offer.v1.OfferService/WhoAmI";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static TestBackend backend;
    private static OfferServer offers;
    private static ConfigMapFolder routes;

    @Autowired
    private Environment environment;
    @Autowired
    private ReloadStatus reloadStatus;
    @Autowired
    private RouteRegistry registry;
    @Autowired
    private UpstreamChannels channels;

    private HttpCalls http;
    private HttpCalls management;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        backend = TestBackend.start();
        offers = OfferServer.start(0);
        routes = ConfigMapFolder.create();
        routes.write(setA());
        registry.add("torii.gateway.routes-dir", () -> routes.dir().toString());
        registry.add("torii.gateway.descriptor-sets",
                () -> "classpath*:META-INF/torii/descriptors/*.binpb,classpath:test-descriptors.binpb");
        registry.add("torii.gateway.reload.poll-interval", () -> "500ms");
        registry.add("torii.gateway.status.health-interval", () -> "500ms");
        registry.add("torii.gateway.status.health-timeout", () -> "400ms");
        registry.add("torii.gateway.channel-shutdown-grace", () -> "2s");
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopBackends() {
        backend.close();
        offers.close();
    }

    @BeforeEach
    void startFromSetA() throws IOException {
        http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));
        management = new HttpCalls(environment.getRequiredProperty("local.management.port", Integer.class));
        apply(setA());
        assertThat(reloadStatus.snapshot().last().outcome()).isNotEqualTo(ReloadStatus.Outcome.REJECTED);
    }

    @Test
    void aGoodSetIsSwappedInUnderSteadyLoadWithoutAFailedRequest() throws Exception {
        assertThat(http.postJson(WHO_AM_I, "{}").statusCode()).isEqualTo(404);
        long succeededBefore = reloadStatus.snapshot().succeeded();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger completed = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        byte[] body = EchoRequest.newBuilder().setText("steady").build().toByteArray();
        List<Thread> clients = new ArrayList<>();
        long stopAt = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; i < 2; i++) {
            Thread client = new Thread(() -> {
                while (running.get() && System.nanoTime() < stopAt) {
                    try {
                        HttpResponse<byte[]> response = http.post(ECHO, "application/x-protobuf", body);
                        if (response.statusCode() != 200) {
                            failures.add(response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8));
                        }
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                    completed.incrementAndGet();
                }
            }, "steady-client-" + i);
            client.start();
            clients.add(client);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> completed.get() >= 200);
        // A call in flight on a route the new set removes finishes on the set it started with.
        CompletableFuture<HttpResponse<byte[]>> inFlight = CompletableFuture.supplyAsync(
                () -> http.postJson(SLEEP, "{\"millis\": \"1500\"}"));
        Thread.sleep(100);

        apply(setB());
        assertThat(inFlight).as("still in flight when the new set took over").isNotDone();
        int atSwap = completed.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> completed.get() >= atSwap + 200);
        running.set(false);
        for (Thread client : clients) {
            client.join(30_000);
        }

        assertThat(reloadStatus.snapshot().last().outcome()).isEqualTo(ReloadStatus.Outcome.LOADED);
        assertThat(reloadStatus.snapshot().succeeded()).isGreaterThan(succeededBefore);
        assertThat(failures).as("failed requests during the reload").isEmpty();
        assertThat(completed.get()).isGreaterThanOrEqualTo(400);
        assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> added = http.postJson(WHO_AM_I, "{}");
        assertThat(added.statusCode()).as(new String(added.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        HttpResponse<byte[]> removed = http.postJson(SLEEP, "{\"millis\": \"1\"}");
        assertThat(removed.statusCode()).isEqualTo(404);
        assertThat(new String(removed.body(), StandardCharsets.UTF_8)).contains("\"code\"");
    }

    @Test
    void aBadSetKeepsTheSetInForceAndIsReported(CapturedOutput output) throws Exception {
        long failedBefore = reloadStatus.snapshot().failed();
        Map<String, String> broken = new HashMap<>(setA());
        broken.put("broken.yaml", """
                service: examples.offer.v1.OfferService
                upstream:
                  target: localhost:%d
                auth: public
                methods:
                  - DeleteOffer
                """.formatted(offers.port()));

        apply(broken);

        assertThat(reloadStatus.snapshot().last().outcome()).isEqualTo(ReloadStatus.Outcome.REJECTED);
        assertThat(reloadStatus.snapshot().failed()).isEqualTo(failedBefore + 1);
        assertThat(http.post(ECHO, "application/x-protobuf", new byte[0]).statusCode()).isEqualTo(200);
        assertThat(http.postJson(SLEEP, "{\"millis\": \"1\"}").statusCode()).isEqualTo(200);
        String problem = routes.dir().resolve("broken.yaml") + ":6: methods[0]: unknown method 'DeleteOffer'";
        assertThat(output.getOut()).contains("not reloaded; still serving the previous set", problem);

        JsonNode status = JSON.readTree(management.send(HttpRequest.newBuilder(
                URI.create(management.base() + "/actuator/torii/json")).GET().build()).body());
        JsonNode reload = status.get("reload");
        assertThat(reload.get("result").asString()).isEqualTo("rejected");
        assertThat(reload.get("failed").asLong()).isEqualTo(failedBefore + 1);
        assertThat(reload.get("inForceDigest").asString()).isNotEqualTo(reload.get("digest").asString());
        JsonNode reported = reload.get("problems").get(0);
        assertThat(reported.get("file").asString()).isEqualTo(routes.dir().resolve("broken.yaml").toString());
        assertThat(reported.get("line").asInt()).isEqualTo(6);
        assertThat(reported.get("field").asString()).isEqualTo("methods[0]");
        assertThat(reported.get("message").asString()).startsWith("unknown method 'DeleteOffer'");
        assertThat(status.get("routes").findValuesAsString("path")).contains(ECHO, SLEEP, GET_OFFER);
    }

    @Test
    void theChannelOfAnUpstreamNoRouteUsesIsClosed() {
        UpstreamTarget offerTarget = registry.current().find(GET_OFFER).upstream();
        ManagedChannel channel = channels.channel(offerTarget);
        // The backend refuses an empty id (400); once the route is gone the gateway answers 404.
        assertThat(http.postJson(GET_OFFER, "{}").statusCode()).isEqualTo(400);

        apply(Map.of("tests.yaml", setA().get("tests.yaml")));

        assertThat(http.postJson(GET_OFFER, "{}").statusCode()).isEqualTo(404);
        // After the longest timeout of the previous routes (3s), then the drain.
        await().atMost(Duration.ofSeconds(10)).until(channel::isTerminated);
        assertThat(channels.targets()).doesNotContain(offerTarget);
        assertThat(channels.state(offerTarget)).isEmpty();
    }

    @Test
    void theStatusPageIsServedOnTheManagementPortOnly() {
        HttpResponse<byte[]> page = management.send(HttpRequest.newBuilder(
                URI.create(management.base() + "/actuator/torii")).GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains(ECHO, GET_OFFER,
                "localhost:" + backend.port());

        for (String path : List.of("/actuator/torii", "/actuator/torii/json", "/actuator")) {
            HttpResponse<byte[]> onPublicPort = http.send(HttpRequest.newBuilder(URI.create(http.base() + path))
                    .GET().build());
            assertThat(onPublicPort.statusCode()).as(path).isEqualTo(404);
            assertThat(new String(onPublicPort.body(), StandardCharsets.UTF_8)).as(path).doesNotContain(ECHO);
        }
    }

    private void apply(Map<String, String> files) {
        try {
            routes.write(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> reloadStatus.snapshot().last().digest().equals(RouteReloader.digest(routes.dir())));
    }

    private static Map<String, String> setA() {
        return Map.of("tests.yaml", """
                service: torii.test.v1.TestService
                upstream:
                  target: localhost:%d
                timeout: 3s
                auth: public
                methods: [Echo, Sleep]
                """.formatted(backend.port()), "offers.yaml", """
                service: examples.offer.v1.OfferService
                upstream:
                  target: localhost:%d
                timeout: 1s
                auth: public
                methods: [GetOffer]
                """.formatted(offers.port()));
    }

    private static Map<String, String> setB() {
        return Map.of("tests.yaml", """
                service: torii.test.v1.TestService
                upstream:
                  target: localhost:%d
                timeout: 3s
                auth: public
                methods: [Echo]
                """.formatted(backend.port()), "offers.yaml", """
                service: examples.offer.v1.OfferService
                upstream:
                  target: localhost:%d
                timeout: 1s
                auth: public
                methods: [GetOffer, WhoAmI]
                """.formatted(offers.port()));
    }
}
