package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.testing.DummyAuthority;
import io.grpc.Status;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
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

/**
 * Calls the example offer service's REST bindings (its {@code google.api.http} options) through
 * the real gateway, authorizer-dummy and offer-service, as a web app or a script would with
 * plain HTTP: every binding, auth, limits, errors in google.rpc.Status JSON, and the watch
 * stream as NDJSON and as Server-Sent Events.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RestEndToEndIT {

    private static final String AUDIENCE = "examples.offer.v1.OfferService";
    private static final String CAMERA =
            "{\"itemId\": \"item-1\", \"title\": \"Vintage camera\", \"price\": {\"currencyCode\": \"JPY\", \"units\": \"12000\"}}";

    private static DummyAuthority authority;
    private static OfferServer offers;

    @Autowired
    private Environment environment;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String base;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        authority = DummyAuthority.start();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(authority.verifierFor(AUDIENCE),
                OfferServer.ANONYMOUS_METHODS)));
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target", authority::grpcTarget);
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stop() {
        offers.close();
        authority.close();
    }

    @BeforeEach
    void client() {
        base = "http://localhost:" + environment.getRequiredProperty("local.server.port", Integer.class);
    }

    @Test
    void aUserCreatesAnOfferWithPostAndAnyoneReadsItWithGet() {
        String seller = fresh("alice");
        HttpResponse<String> created = send("POST", "/v1/offers", CAMERA, "Authorization", bearer(seller, "offers.write"),
                "Content-Type", "application/json");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(created.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(created.body()).contains("\"sellerId\":\"" + seller + "\"", "\"title\":\"Vintage camera\"");
        String id = field(created.body(), "id");

        HttpResponse<String> fetched = send("GET", "/v1/offers/" + id, null);

        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        assertThat(fetched.body()).contains("\"id\":\"" + id + "\"", "\"units\":\"12000\"", "\"state\":\"OFFER_STATE_OPEN\"");
    }

    @Test
    void getMeIsWhoAmIWithTheVerifiedCallerAndItsPrivateToken() {
        HttpResponse<String> response = send("GET", "/v1/me", null, "Authorization", bearer("alice", "offers.read"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"type\":\"user\"", "\"id\":\"alice\"", "\"scopes\":[\"offers.read\"]");
    }

    @Test
    void theAuthPolicyAppliesToRestPaths() {
        HttpResponse<String> anonymous = send("GET", "/v1/me", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).isPresent();
        assertThat(anonymous.headers().firstValue("grpc-status")).hasValue("16");
        assertThat(anonymous.body()).contains("\"code\":16");

        HttpResponse<String> readOnly = send("POST", "/v1/offers", CAMERA, "Authorization", bearer(fresh("bob"), "offers.read"));
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(readOnly.body()).contains("\"code\":7");
    }

    @Test
    void errorsAreGoogleRpcStatusJsonWithTheMappedHttpStatus() {
        HttpResponse<String> unknown = send("GET", "/v1/offers/" + UUID.randomUUID(), null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("grpc-status")).hasValue("5");
        assertThat(unknown.body()).contains("\"code\":5", "\"message\":");

        HttpResponse<String> malformed = send("GET", "/v1/offers/not-a-uuid", null);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"code\":3");

        HttpResponse<String> missingFields = send("POST", "/v1/offers", "{}", "Authorization",
                bearer(fresh("carol"), "offers.write"));
        assertThat(missingFields.statusCode()).isEqualTo(400);
        assertThat(missingFields.body()).contains("google.rpc.BadRequest");
    }

    @Test
    void aPathWithNoBindingIs404AndAnotherVerbIs405WithAllow() {
        HttpResponse<String> nothing = send("GET", "/v1/nothing-here", null);
        assertThat(nothing.statusCode()).isEqualTo(404);
        assertThat(nothing.body()).contains("\"code\":5");

        HttpResponse<String> wrongVerb = send("DELETE", "/v1/offers/" + UUID.randomUUID(), null);
        assertThat(wrongVerb.statusCode()).isEqualTo(405);
        assertThat(wrongVerb.headers().firstValue("allow")).hasValue("GET");

        HttpResponse<String> createWithGet = send("GET", "/v1/offers", null);
        assertThat(createWithGet.statusCode()).isEqualTo(405);
        assertThat(createWithGet.headers().firstValue("allow")).hasValue("POST");
    }

    @Test
    void theRpcPathStillAnswersBesideTheRestOne() {
        HttpResponse<String> rpc = send("POST", "/examples.offer.v1.OfferService/WhoAmI", "{}",
                "Authorization", bearer("alice", "offers.read"), "Content-Type", "application/json");

        assertThat(rpc.statusCode()).as(rpc.body()).isEqualTo(200);
        assertThat(rpc.body()).contains("\"id\":\"alice\"");
    }

    @Test
    void theCreateRateLimitCountsRestCalls() {
        String seller = fresh("dave");
        List<Integer> statuses = IntStream.range(0, 6)
                .mapToObj(i -> send("POST", "/v1/offers", CAMERA, "Authorization", bearer(seller, "offers.write")))
                .map(HttpResponse::statusCode).toList();

        assertThat(statuses.subList(0, 5)).containsOnly(200);
        HttpResponse<String> refused = send("POST", "/v1/offers", CAMERA, "Authorization", bearer(seller, "offers.write"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(refused.body()).contains("\"code\":8");
    }

    @Test
    void hostileInputIsA4xxAndTheGatewayGoesOn() throws IOException {
        String manyParameters = IntStream.range(0, 10_000).mapToObj(i -> "p" + i + "=1").collect(Collectors.joining("&"));
        HttpResponse<String> tooMany = send("GET", "/v1/offers/" + UUID.randomUUID() + "?" + manyParameters, null);
        assertThat(tooMany.statusCode()).isBetween(400, 499);

        HttpResponse<String> longPath = send("GET", "/v1/offers/" + "a".repeat(1 << 20), null);
        assertThat(longPath.statusCode()).isBetween(400, 499);

        HttpResponse<String> wrongType = send("POST", "/v1/offers", "{\"price\": {\"units\": \"many\"}}",
                "Authorization", bearer(fresh("erin"), "offers.write"));
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(wrongType.body()).contains("\"code\":3");

        HttpResponse<String> notJson = send("POST", "/v1/offers", "itemId=1", "Authorization",
                bearer(fresh("erin"), "offers.write"), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(notJson.statusCode()).isEqualTo(415);

        assertThat(rawGetStatus("/v1/offers/%zz")).isBetween(400, 499);
        assertThat(rawGetStatus("/v1/offers/%")).isBetween(400, 499);

        assertThat(send("GET", "/v1/me", null, "Authorization", bearer("alice", "offers.read")).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-ndjson", "text/event-stream"})
    void aWatchStreamsOffersCreatedWhileItIsOpen(String accept) throws Exception {
        String seller = fresh("frank");
        int watchersBefore = offers.watcherCount();
        try (Lines watch = open("/v1/sellers/" + seller + "/offers:watch", accept, "Authorization",
                bearer(seller, "offers.read"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() > watchersBefore);

            HttpResponse<String> created = send("POST", "/v1/offers", CAMERA, "Authorization", bearer(seller, "offers.write"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);

            String first = watch.next(Duration.ofSeconds(5));
            assertThat(watch.response().statusCode()).isEqualTo(200);
            assertThat(watch.response().headers().firstValue("content-type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith(accept));
            if (accept.equals("text/event-stream")) {
                assertThat(first).startsWith("data: {").contains("\"id\":\"" + field(created.body(), "id") + "\"");
                assertThat(watch.next(Duration.ofSeconds(5))).isEmpty();
            } else {
                assertThat(first).startsWith("{\"result\":{").contains("\"id\":\"" + field(created.body(), "id") + "\"");
            }
        }
    }

    @Test
    void aWatchEndsWithDeadlineExceededAtItsDeadline() throws Exception {
        String seller = fresh("grace");
        int watchersBefore = offers.watcherCount();
        HttpResponse<String> created;
        try (Lines watch = open("/v1/sellers/" + seller + "/offers:watch", "application/x-ndjson", "Authorization",
                bearer(seller, "offers.read"), "grpc-timeout", "3S")) {
            await().atMost(Duration.ofSeconds(2)).until(() -> offers.watcherCount() > watchersBefore);
            created = send("POST", "/v1/offers", CAMERA, "Authorization", bearer(seller, "offers.write"));
            assertThat(watch.next(Duration.ofSeconds(5))).startsWith("{\"result\":");

            String last = watch.next(Duration.ofSeconds(10));

            assertThat(last).startsWith("{\"error\":").contains("\"code\":4");
            assertThat(watch.ended(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(created.statusCode()).isEqualTo(200);
    }

    @Test
    void aWatchTheBackendCutsEndsWithTheBackendsErrorLine() throws Exception {
        String seller = fresh("heidi");
        int watchersBefore = offers.watcherCount();
        try (Lines watch = open("/v1/sellers/" + seller + "/offers:watch", "text/event-stream", "Authorization",
                bearer(seller, "offers.read"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() > watchersBefore);
            send("POST", "/v1/offers", CAMERA, "Authorization", bearer(seller, "offers.write"));
            assertThat(watch.next(Duration.ofSeconds(5))).startsWith("data: ");
            assertThat(watch.next(Duration.ofSeconds(5))).isEmpty();

            offers.abortWatchers(Status.ABORTED.withDescription("watch interrupted"));

            assertThat(watch.next(Duration.ofSeconds(10))).isEqualTo("event: error");
            assertThat(watch.next(Duration.ofSeconds(5))).startsWith("data: {").contains("\"code\":10",
                    "watch interrupted");
        }
    }

    @Test
    void anEventStreamOpensAtOnceForEventSourceClients() throws Exception {
        String seller = fresh("ivan");
        try (Lines watch = open("/v1/sellers/" + seller + "/offers:watch", "text/event-stream", "Authorization",
                bearer(seller, "offers.read"))) {
            assertThat(watch.response().statusCode()).isEqualTo(200);
            assertThat(watch.response().headers().firstValue("content-type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        }
    }

    @Test
    void aBrowserPreflightForARestPathIsAnsweredWithTheRouteFilesPolicy() {
        HttpResponse<String> preflight = send("OPTIONS", "/v1/offers", null, "Origin", "http://localhost:5173",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type");

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("http://localhost:5173");
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path.substring(0, Math.min(path.length(), 100)) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // Sends a request by hand, for paths java.net.URI refuses to build; returns the status.
    private int rawGetStatus(String path) throws IOException {
        int port = environment.getRequiredProperty("local.server.port", Integer.class);
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).as("status line for " + path).startsWith("HTTP/1.1 ");
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    // Opens a stream without waiting for its headers: NDJSON answers send them with the first line.
    private Lines open(String path, String accept, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", accept).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return new Lines(client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    // The lines of a streamed answer, read on their own thread as they arrive.
    private static final class Lines implements AutoCloseable {
        private static final String END = "\u0000end";
        private final CompletableFuture<HttpResponse<Stream<String>>> response;
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);
        private final Thread reader;

        Lines(CompletableFuture<HttpResponse<Stream<String>>> response) {
            this.response = response;
            this.reader = new Thread(() -> {
                try {
                    Iterator<String> it = response.get(60, TimeUnit.SECONDS).body().iterator();
                    while (it.hasNext()) {
                        lines.put(it.next());
                    }
                } catch (Exception e) {
                    // The stream was closed.
                } finally {
                    lines.offer(END);
                }
            }, "rest-stream-reader");
            reader.setDaemon(true);
            reader.start();
        }

        String next(Duration wait) throws InterruptedException {
            String line = lines.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(line).as("a line within " + wait).isNotNull().isNotEqualTo(END);
            return line;
        }

        boolean ended(Duration wait) throws InterruptedException {
            return END.equals(lines.poll(wait.toMillis(), TimeUnit.MILLISECONDS));
        }

        HttpResponse<Stream<String>> response() throws Exception {
            return response.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            response.thenAccept(answer -> answer.body().close());
            response.cancel(true);
            reader.interrupt();
        }
    }

    private static String bearer(String user, String scopes) {
        return "Bearer dummy:" + user + ":" + scopes;
    }

    private static String fresh(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        assertThat(matcher.find()).as(name + " in " + json).isTrue();
        return matcher.group(1);
    }
}
