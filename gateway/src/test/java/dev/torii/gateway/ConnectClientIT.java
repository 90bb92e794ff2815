package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.examples.offer.OfferServer;
import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.testing.CallDelayInterceptor;
import dev.torii.gateway.testing.CallDelayInterceptor.DelayedCall;
import dev.torii.gateway.testing.ConnectNodeClient;
import dev.torii.gateway.testing.ConnectNodeClient.Format;
import dev.torii.gateway.testing.ConnectNodeClient.Outcome;
import dev.torii.gateway.testing.ConnectNodeClient.Protocol;
import dev.torii.gateway.testing.ConnectNodeClient.Request;
import dev.torii.gateway.testing.ConnectNodeClient.Transport;
import dev.torii.gateway.testing.DummyAuthority;
import io.grpc.Status;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Calls the gateway with connect-es, the Connect, gRPC-Web and gRPC client of the JavaScript world
 * ({@code @connectrpc/connect-node} in Node.js), as a web or Node.js app would: the example offer
 * service behind it verifying private tokens, authorizer-dummy as the Authority, the repository's
 * route files. Every case runs over each transport flavour connect-es offers: Connect in protobuf
 * and JSON, gRPC-Web, and gRPC (HTTP/2 only), over HTTP/1.1 and HTTP/2, with and without gzip. The client reads the schema from the proto module's
 * descriptor set at run time, so nothing here is generated for it.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConnectClientIT {

    private static final String SERVICE = "examples.offer.v1.OfferService/";
    private static final String CREATE = SERVICE + "CreateOffer";
    private static final String GET = SERVICE + "GetOffer";
    private static final String WHO_AM_I = SERVICE + "WhoAmI";
    private static final String WATCH = SERVICE + "WatchOffers";
    private static final String CAMERA =
            "{\"itemId\": \"item-1\", \"title\": \"Vintage camera\", \"price\": {\"currencyCode\": \"JPY\", \"units\": \"12000\"}}";
    // routes/offer-service.yaml: CreateOffer {key: user, rate: 5, period: 1m}.
    private static final int CREATES_PER_MINUTE = 5;

    private static DummyAuthority authority;
    private static CallDelayInterceptor delays;
    private static OfferServer offers;

    @Autowired
    private Environment environment;

    /** The ways connect-es can talk to the gateway: Connect, gRPC-Web and gRPC. */
    enum Flavour {
        BINARY_OVER_HTTP_2(Format.BINARY, "2", false, Protocol.CONNECT),
        BINARY_OVER_HTTP_1_1(Format.BINARY, "1.1", false, Protocol.CONNECT),
        JSON_OVER_HTTP_1_1(Format.JSON, "1.1", false, Protocol.CONNECT),
        JSON_OVER_HTTP_2(Format.JSON, "2", false, Protocol.CONNECT),
        GZIP_BINARY_OVER_HTTP_2(Format.BINARY, "2", true, Protocol.CONNECT),
        GZIP_JSON_OVER_HTTP_1_1(Format.JSON, "1.1", true, Protocol.CONNECT),
        GRPC_WEB_OVER_HTTP_1_1(Format.BINARY, "1.1", false, Protocol.GRPC_WEB),
        GRPC_WEB_OVER_HTTP_2(Format.BINARY, "2", false, Protocol.GRPC_WEB),
        GZIP_GRPC_WEB_OVER_HTTP_1_1(Format.BINARY, "1.1", true, Protocol.GRPC_WEB),
        GRPC_OVER_HTTP_2(Format.BINARY, "2", false, Protocol.GRPC),
        GZIP_GRPC_OVER_HTTP_2(Format.BINARY, "2", true, Protocol.GRPC);

        private final Transport transport;

        Flavour(Format format, String httpVersion, boolean gzip, Protocol protocol) {
            this.transport = new Transport(format, httpVersion, gzip, protocol);
        }

        // The protocol's own timeout header, without the client's own timer.
        Request withTimeoutHeader(Request request, int millis) {
            return transport.protocol() == Protocol.CONNECT ? request.header("Connect-Timeout-Ms", Integer.toString(millis))
                    : request.header("grpc-timeout", millis + "m");
        }
    }

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        authority = DummyAuthority.start();
        delays = new CallDelayInterceptor();
        offers = OfferServer.start(0, List.of(delays,
                new PrivateTokenServerInterceptor(authority.verifierFor(SERVICE.substring(0, SERVICE.length() - 1)),
                        OfferServer.ANONYMOUS_METHODS)));
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target", authority::grpcTarget);
        registry.add("management.server.port", () -> "0");
        // The slow-backend switch is a header, so the gateway must forward it.
        registry.add("torii.gateway.forwarded-headers", () -> "accept-language," + CallDelayInterceptor.HEADER);
    }

    @AfterAll
    static void stop() {
        offers.close();
        delays.close();
        authority.close();
    }

    @BeforeEach
    void forgetDelayedCalls() {
        delays.clear();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aUserCreatesAnOfferAndAnyoneReadsIt(Flavour flavour) throws Exception {
        String user = fresh("alice");

        Outcome created = client(flavour).run(Request.of(CREATE, CAMERA).header("Authorization", bearer(user, "offers.write")));

        assertThat(created.code()).as(created.end().toString()).isEqualTo("ok");
        JsonNode offer = single(created);
        assertThat(offer.get("sellerId").asString()).isEqualTo(user);
        assertThat(offer.get("state").asString()).isEqualTo("OFFER_STATE_OPEN");

        Outcome fetched = client(flavour).run(Request.of(GET, "{\"id\": \"" + offer.get("id").asString() + "\"}"));

        assertThat(fetched.code()).as(fetched.end().toString()).isEqualTo("ok");
        assertThat(single(fetched).get("title").asString()).isEqualTo("Vintage camera");
        assertThat(single(fetched).get("price").get("units").asString()).isEqualTo("12000");
        assertThat(single(fetched)).isEqualTo(offer);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anUnknownOfferIsNotFound(Flavour flavour) throws Exception {
        String id = UUID.randomUUID().toString();

        Outcome outcome = client(flavour).run(Request.of(GET, "{\"id\": \"" + id + "\"}"));

        assertThat(outcome.code()).as(outcome.end().toString()).isEqualTo("not_found");
        assertThat(outcome.message()).isEqualTo("offer " + id + " not found");
        assertThat(outcome.messages()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aCallWithoutACredentialIsUnauthenticated(Flavour flavour) throws Exception {
        Outcome outcome = client(flavour).run(Request.of(WHO_AM_I, "{}"));

        assertThat(outcome.code()).as(outcome.end().toString()).isEqualTo("unauthenticated");
        assertThat(outcome.errorMetadata("www-authenticate")).hasValue("Bearer realm=\"torii\"");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void callersTheRouteDoesNotAdmitArePermissionDenied(Flavour flavour) throws Exception {
        Outcome noScope = client(flavour).run(Request.of(CREATE, CAMERA).header("Authorization", "Bearer dummy:bob"));

        assertThat(noScope.code()).as(noScope.end().toString()).isEqualTo("permission_denied");
        assertThat(noScope.errorMetadata("www-authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"", "scope=\"offers.write\"");

        Outcome denied = client(flavour).run(Request.of(WHO_AM_I, "{}").header("Authorization", "Bearer dummy:!denied"));

        assertThat(denied.code()).as(denied.end().toString()).isEqualTo("permission_denied");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theSixthCreateInAMinuteIsRefusedWithWhenToRetry(Flavour flavour) throws Exception {
        Request create = Request.of(CREATE, CAMERA).header("Authorization", bearer(fresh("newcomer"), "offers.write"));
        for (int i = 0; i < CREATES_PER_MINUTE; i++) {
            Outcome allowed = client(flavour).run(create);
            assertThat(allowed.code()).as("create #%d: %s", i + 1, allowed.end()).isEqualTo("ok");
        }

        Outcome refused = client(flavour).run(create);

        assertThat(refused.code()).as(refused.end().toString()).isEqualTo("resource_exhausted");
        assertThat(refused.detailTypes()).contains("google.rpc.RetryInfo");
        assertThat(refused.detail("google.rpc.RetryInfo")).isPresent();
        assertThat(refused.errorMetadata("retry-after")).isPresent();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSlowBackendEndsInDeadlineExceededAtTheClientsTimeout(Flavour flavour) throws Exception {
        Outcome outcome = client(flavour).run(whoAmISlowerThan(800).timeoutMs(800));

        assertThat(outcome.code()).as(outcome.end().toString()).isEqualTo("deadline_exceeded");
        assertThat(outcome.elapsedMs()).isBetween(750L, 2000L);
        // The client's timeout travelled as Connect-Timeout-Ms and became the backend's deadline,
        // so the backend stopped working on the call when the client stopped waiting.
        DelayedCall atBackend = delays.nextCall(Duration.ofSeconds(5));
        assertThat(atBackend.deadline()).hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofMillis(800)));
        assertThat(atBackend.cancelledAfter().get(5, TimeUnit.SECONDS)).isLessThan(Duration.ofMillis(1500));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theGatewayItselfEndsACallAtTheProtocolsTimeout(Flavour flavour) throws Exception {
        // The header alone, without connect-es's own timer: only the gateway can end the call.
        Outcome outcome = client(flavour).run(flavour.withTimeoutHeader(whoAmISlowerThan(800), 800));

        assertThat(outcome.code()).as(outcome.end().toString()).isEqualTo("deadline_exceeded");
        assertThat(outcome.elapsedMs()).isBetween(750L, 2500L);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aStreamReceivesOffersCreatedWhileItIsOpenPromptly(Flavour flavour) throws Exception {
        String seller = fresh("alice");
        int watchersBefore = offers.watcherCount();
        try (ConnectNodeClient.Call watch = client(flavour).start(watchOffersOf(seller))) {
            awaitWatching(watch, watchersBefore);

            Outcome created = client(flavour).run(Request.of(CREATE, CAMERA).header("Authorization", bearer(seller, "offers.write")));
            long createdAt = System.nanoTime();
            assertThat(created.code()).as(created.end().toString()).isEqualTo("ok");

            ConnectNodeClient.Event streamed = watch.nextMessage(Duration.ofSeconds(2));
            assertThat(Duration.ofNanos(streamed.receivedNanos() - createdAt)).isLessThan(Duration.ofSeconds(2));
            assertThat(streamed.body().get("message")).isEqualTo(single(created));
        }
        // The client went away: the gateway cancels the upstream stream instead of keeping it open.
        await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() == watchersBefore);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aStreamEndsInDeadlineExceededAtTheClientsTimeout(Flavour flavour) throws Exception {
        int watchersBefore = offers.watcherCount();

        Outcome outcome = client(flavour).run(watchOffersOf(fresh("alice")).timeoutMs(1500));

        assertThat(outcome.code()).as(outcome.end().toString()).isEqualTo("deadline_exceeded");
        assertThat(outcome.elapsedMs()).isBetween(1450L, 4500L);
        await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() == watchersBefore);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theGatewayItselfEndsAStreamAtTheProtocolsTimeout(Flavour flavour) throws Exception {
        int watchersBefore = offers.watcherCount();

        Outcome outcome = client(flavour).run(flavour.withTimeoutHeader(watchOffersOf(fresh("alice")), 1500));

        assertThat(outcome.code()).as(outcome.end().toString()).isEqualTo("deadline_exceeded");
        assertThat(outcome.elapsedMs()).isBetween(1450L, 4500L);
        await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() == watchersBefore);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aStreamTheBackendCutsMidWayEndsInTheBackendsError(Flavour flavour) throws Exception {
        String seller = fresh("alice");
        int watchersBefore = offers.watcherCount();
        try (ConnectNodeClient.Call watch = client(flavour).start(watchOffersOf(seller))) {
            awaitWatching(watch, watchersBefore);
            Outcome created = client(flavour).run(Request.of(CREATE, CAMERA).header("Authorization", bearer(seller, "offers.write")));
            assertThat(created.code()).as(created.end().toString()).isEqualTo("ok");
            assertThat(watch.nextMessage(Duration.ofSeconds(5)).body().get("message")).isEqualTo(single(created));

            offers.abortWatchers(Status.ABORTED.withDescription("watch interrupted"));

            Outcome outcome = watch.end(Duration.ofSeconds(10));
            assertThat(outcome.code()).as(outcome.end().toString()).isEqualTo("aborted");
            assertThat(outcome.message()).isEqualTo("watch interrupted");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Flavour.class, names = {"BINARY_OVER_HTTP_1_1", "JSON_OVER_HTTP_1_1", "GZIP_JSON_OVER_HTTP_1_1"})
    void aSideEffectFreeReadGoesAsAConnectGet(Flavour flavour) throws Exception {
        // connect-es sends a GET only for methods the schema marks free of side effects.
        assertThat(OfferProto.getDescriptor().findServiceByName("OfferService").findMethodByName("GetOffer")
                .getOptions().getIdempotencyLevel()).isEqualTo(IdempotencyLevel.NO_SIDE_EFFECTS);
        Outcome created = client(flavour).run(Request.of(CREATE, CAMERA).header("Authorization", bearer(fresh("alice"), "offers.write")));
        assertThat(created.code()).as(created.end().toString()).isEqualTo("ok");
        String id = single(created).get("id").asString();

        Outcome fetched = client(flavour).run(Request.of(GET, "{\"id\": \"" + id + "\"}").httpGet());

        assertThat(fetched.requests()).singleElement().satisfies(request -> {
            assertThat(request.get("method").asString()).isEqualTo("GET");
            assertThat(request.get("path").asString()).startsWith("/" + GET + "?").contains("connect=v1", "message=");
        });
        assertThat(fetched.code()).as(fetched.end().toString()).isEqualTo("ok");
        assertThat(single(fetched)).isEqualTo(single(created));
    }

    // Waits until the backend has the stream's watcher registered, so that what is created next
    // must reach it; a stream the gateway refused fails here at once, with its end.
    private static void awaitWatching(ConnectNodeClient.Call watch, int watchersBefore) {
        await().atMost(Duration.ofSeconds(10))
                .failFast("the stream ended before the backend saw it", () -> assertThat(watch.peekEnd()).isEmpty())
                .until(() -> offers.watcherCount() == watchersBefore + 1);
    }

    private ConnectNodeClient client(Flavour flavour) throws IOException {
        return ConnectNodeClient.of("http://localhost:" + environment.getRequiredProperty("local.server.port"),
                flavour.transport);
    }

    private static Request whoAmISlowerThan(int millis) {
        return Request.of(WHO_AM_I, "{}").header("Authorization", "Bearer dummy:alice")
                .header(CallDelayInterceptor.HEADER, Integer.toString(millis + 2_000));
    }

    // WatchOffers is exposed with the file's default policy: any signed-in user.
    private static Request watchOffersOf(String seller) {
        return Request.of(WATCH, "{\"sellerId\": \"" + seller + "\"}").header("Authorization", "Bearer dummy:" + seller);
    }

    private static JsonNode single(Outcome outcome) {
        assertThat(outcome.messages()).as(outcome.end().toString()).hasSize(1);
        return outcome.messages().get(0);
    }

    private static String bearer(String user, String scope) {
        return "Bearer dummy:" + user + ":" + scope;
    }

    // A user of its own for each case, so no case spends another's rate limit.
    private static String fresh(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
