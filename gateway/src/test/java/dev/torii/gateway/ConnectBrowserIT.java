package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.testing.BrowserPageServer;
import dev.torii.gateway.testing.DummyAuthority;
import dev.torii.gateway.testing.HeadlessChromium;
import dev.torii.gateway.testing.HttpCalls;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Calls the gateway from a web page in a real headless Chromium with connect-es's browser
 * transports ({@code @connectrpc/connect-web}, over fetch: Connect in JSON and protobuf, and
 * gRPC-Web), the way a web app on its own origin
 * would: the page comes from another server than the gateway, so every call is cross-origin and
 * the browser asks the gateway's CORS answers first. A page on an origin the gateway does not
 * allow gets nothing: the browser itself refuses.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConnectBrowserIT {

    private static final String AUDIENCE = "examples.offer.v1.OfferService";
    private static final Duration BROWSER_START = Duration.ofSeconds(30);

    private static DummyAuthority authority;
    private static OfferServer offers;
    private static BrowserPageServer pages;

    @Autowired
    private Environment environment;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        authority = DummyAuthority.start();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(authority.verifierFor(AUDIENCE),
                OfferServer.ANONYMOUS_METHODS)));
        Path js = Path.of(System.getProperty("torii.test.js-dir", "target/js"));
        pages = BrowserPageServer.start(Map.of(
                "connect-page.html", js.resolve("connect-page.html"),
                "connect-page.js", js.resolve("connect-page.js"),
                "descriptors.binpb", Path.of(System.getProperty("torii.test.descriptor-set",
                        "../proto/target/classes/META-INF/torii/descriptors/torii-proto.binpb"))));
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target", authority::grpcTarget);
        registry.add("management.server.port", () -> "0");
        // The example route file allows the web app's origin from WEB_APP_ORIGIN;
        // http://127.0.0.1:<same port> is another origin, not allowed.
        registry.add("WEB_APP_ORIGIN", () -> pages.origin("localhost"));
    }

    @AfterAll
    static void stop() {
        pages.close();
        offers.close();
        authority.close();
    }

    @BeforeEach
    void forgetEvents() {
        pages.clear();
    }

    @ParameterizedTest
    @ValueSource(strings = {"connect/json", "connect/binary", "grpc-web/binary"})
    void aPageOnAnAllowedOriginCreatesReadsAndWatchesOffers(String transport) throws Exception {
        String user = "web-" + UUID.randomUUID().toString().substring(0, 8);
        int watchersBefore = offers.watcherCount();

        try (HeadlessChromium.Window window = HeadlessChromium.locate().open(page("localhost", transport, user, "create,get,watch"))) {
            JsonNode created = next(window, "create");
            assertThat(created.get("code").asString()).as(created.toString()).isEqualTo("ok");
            assertThat(created.get("message").get("sellerId").asString()).isEqualTo(user);
            assertThat(created.get("message").get("title").asString()).isEqualTo("Seen from a browser");

            JsonNode fetched = next(window, "get");
            assertThat(fetched.get("code").asString()).as(fetched.toString()).isEqualTo("ok");
            assertThat(fetched.get("message")).isEqualTo(created.get("message"));

            next(window, "watching");
            await().atMost(Duration.ofSeconds(10))
                    .failFast("the page's stream ended before the backend saw it", () -> assertThat(pages.peekEvent()).isEmpty())
                    .until(() -> offers.watcherCount() == watchersBefore + 1);
            String id = createOffer(user);

            JsonNode watched = next(window, "watch");
            assertThat(watched.get("code").asString()).as(watched.toString()).isEqualTo("ok");
            assertThat(watched.get("message").get("id").asString()).isEqualTo(id);
            next(window, "done");
        }
    }

    @Test
    void aPageOnAnAllowedOriginCreatesReadsAndWatchesOffersOverRestWithItsOwnFetch() throws Exception {
        String user = "rest-" + UUID.randomUUID().toString().substring(0, 8);
        int watchersBefore = offers.watcherCount();

        try (HeadlessChromium.Window window = HeadlessChromium.locate()
                .open(page("localhost", "connect/json", user, "rest-create,rest-get,rest-watch"))) {
            JsonNode created = next(window, "rest-create");
            assertThat(created.get("code").asString()).as(created.toString()).isEqualTo("ok");
            assertThat(created.get("message").get("sellerId").asString()).isEqualTo(user);
            assertThat(created.get("message").get("title").asString()).isEqualTo("Posted from a browser");

            JsonNode fetched = next(window, "rest-get");
            assertThat(fetched.get("code").asString()).as(fetched.toString()).isEqualTo("ok");
            assertThat(fetched.get("message")).isEqualTo(created.get("message"));

            next(window, "rest-watching");
            await().atMost(Duration.ofSeconds(10))
                    .failFast("the page's stream ended before the backend saw it", () -> assertThat(pages.peekEvent()).isEmpty())
                    .until(() -> offers.watcherCount() == watchersBefore + 1);
            String id = createOffer(user);

            JsonNode watched = next(window, "rest-watch");
            assertThat(watched.get("code").asString()).as(watched.toString()).isEqualTo("ok");
            assertThat(watched.get("message").get("result").get("id").asString()).isEqualTo(id);
            next(window, "done");
        }
        await("the aborted fetch cancels the upstream stream").atMost(Duration.ofSeconds(10))
                .until(() -> offers.watcherCount() == watchersBefore);
    }

    @Test
    void aRestFetchFromAnotherOriginIsRefusedByTheBrowser() throws Exception {
        try (HeadlessChromium.Window window = HeadlessChromium.locate()
                .open(page("127.0.0.1", "connect/json", "mallory", "rest-create,rest-get"))) {
            for (String step : List.of("rest-create", "rest-get")) {
                JsonNode refused = next(window, step);
                assertThat(refused.get("code").asString()).as(refused.toString()).isEqualTo("unknown");
                assertThat(refused.get("error").asString()).isEqualTo("Failed to fetch");
            }
            next(window, "done");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"connect/json", "grpc-web/binary"})
    void aPageOnAnotherOriginGetsNothingBecauseTheBrowserRefuses(String transport) throws Exception {
        int watchersBefore = offers.watcherCount();

        try (HeadlessChromium.Window window = HeadlessChromium.locate()
                .open(page("127.0.0.1", transport, "mallory", "create,get,watch"))) {
            for (String step : List.of("create", "get")) {
                JsonNode refused = next(window, step);
                // What fetch reports for a CORS refusal: the page cannot tell it from a network failure.
                assertThat(refused.get("code").asString()).as(refused.toString()).isEqualTo("unknown");
                assertThat(refused.get("error").asString()).isEqualTo("Failed to fetch");
            }
            next(window, "watching");
            JsonNode watch = next(window, "watch");
            assertThat(watch.get("error").asString()).as(watch.toString()).isEqualTo("Failed to fetch");
            next(window, "done");
        }
        assertThat(offers.watcherCount()).as("no stream reached the backend").isEqualTo(watchersBefore);
    }

    // transport: protocol/format, such as grpc-web/binary
    private URI page(String host, String transport, String user, String steps) {
        String gateway = "http://localhost:" + environment.getRequiredProperty("local.server.port");
        String[] parts = transport.split("/");
        return URI.create(pages.origin(host) + "/connect-page.html?gateway=" + URLEncoder.encode(gateway, StandardCharsets.UTF_8)
                + "&protocol=" + parts[0] + "&format=" + parts[1] + "&user=" + user + "&steps=" + steps);
    }

    private static JsonNode next(HeadlessChromium.Window window, String step) throws Exception {
        JsonNode event;
        try {
            event = pages.nextEvent(BROWSER_START);
        } catch (AssertionError e) {
            throw new AssertionError("waiting for step " + step + ": " + e.getMessage() + "; chromium said:\n" + window.log(), e);
        }
        assertThat(event.get("step").asString()).as(event.toString()).isEqualTo(step);
        return event;
    }

    // Another client creates the offer while the page watches: the gateway's own JSON dialect.
    private String createOffer(String user) {
        HttpResponse<byte[]> created = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class))
                .postJson("/examples.offer.v1.OfferService/CreateOffer",
                        "{\"itemId\": \"item-2\", \"title\": \"Lamp\", \"price\": {\"currencyCode\": \"JPY\", \"units\": \"500\"}}",
                        "Authorization", "Bearer dummy:" + user + ":offers.write");
        String body = new String(created.body(), StandardCharsets.UTF_8);
        assertThat(created.statusCode()).as(body).isEqualTo(200);
        Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(body);
        assertThat(id.find()).as(body).isTrue();
        return id.group(1);
    }
}
