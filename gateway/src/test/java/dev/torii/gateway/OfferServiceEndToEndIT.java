package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import com.google.rpc.Status;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ExchangeTokenRequest;
import dev.torii.examples.offer.OfferServer;
import dev.torii.examples.offer.v1.CreateOfferRequest;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Money;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import dev.torii.examples.offer.v1.WhoAmIRequest;
import dev.torii.gateway.auth.AuthorityConnection;
import dev.torii.gateway.testing.DummyAuthority;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

/**
 * Runs the product as a newcomer would: the example offer service verifying private tokens with
 * authority/sdk, authorizer-dummy as the Authority, and the gateway with the repository's route
 * files, called with JSON and with protobuf encoded by protoc.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OfferServiceEndToEndIT {

    private static final String CREATE = "/examples.offer.v1.OfferService/CreateOffer";
    private static final String GET = "/examples.offer.v1.OfferService/GetOffer";
    private static final String WHO_AM_I = "/examples.offer.v1.OfferService/WhoAmI";
    private static final String AUDIENCE = "examples.offer.v1.OfferService";
    private static final Path PROTOC = Path.of(System.getProperty("torii.test.protoc", "target/tools/protoc"));
    private static final Path DESCRIPTOR_SET = Path.of(System.getProperty("torii.test.descriptor-set",
            "../proto/target/classes/META-INF/torii/descriptors/torii-proto.binpb"));

    private static DummyAuthority authority;
    private static OfferServer offers;

    @Autowired
    private Environment environment;

    @Autowired
    private AuthorityConnection authorityConnection;

    private HttpCalls http;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        authority = DummyAuthority.start();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(authority.verifierFor(AUDIENCE), OfferServer.ANONYMOUS_METHODS)));
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
        http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));
    }

    @Test
    void aUserCreatesAnOfferAndAnyoneReadsIt() {
        HttpResponse<byte[]> created = http.postJson(CREATE,
                "{\"itemId\": \"item-1\", \"title\": \"Vintage camera\", \"price\": {\"currencyCode\": \"JPY\", \"units\": \"12000\"}}",
                "Authorization", "Bearer dummy:alice:offers.write");
        assertThat(created.statusCode()).as(body(created)).isEqualTo(200);
        assertThat(body(created)).contains("\"sellerId\":\"alice\"");
        String id = field(body(created), "id");

        HttpResponse<byte[]> fetched = http.postJson(GET, "{\"id\": \"" + id + "\"}");

        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(body(fetched)).contains("\"title\":\"Vintage camera\"", "\"units\":\"12000\"",
                "\"state\":\"OFFER_STATE_OPEN\"");
    }

    @Test
    void whoAmIShowsTheUserTheAuthorityVerified() {
        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}",
                "Authorization", "Bearer dummy:alice:offers.read", "Accept-Language", "ja");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body(response)).contains("\"type\":\"user\"", "\"id\":\"alice\"", "\"scopes\":[\"offers.read\"]",
                "\"accept-language\":\"ja\"", "\"authorization\":\"Bearer (redacted)\"");
    }

    @Test
    void whoAmIShowsAServiceAccountWithItsRoles() {
        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}",
                "Authorization", "Bearer dummy-sa:support-console@torii-dev.iam.gserviceaccount.com:support.reader");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body(response)).contains("\"type\":\"service_account\"",
                "\"id\":\"support-console@torii-dev.iam.gserviceaccount.com\"", "\"scopes\":[\"support.reader\"]");
    }

    @Test
    void identityHeadersFromTheClientAreIgnored() {
        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}",
                "Authorization", "Bearer dummy:mallory",
                "X-Private-Token", "forged", "X-Torii-User", "admin", "X-Forwarded-User", "admin",
                "X-Torii-Principal", "service_account");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body(response)).contains("\"id\":\"mallory\"")
                .doesNotContain("forged", "x-torii", "x-private-token", "x-forwarded-user", "admin");
    }

    @Test
    void missingOrBadCredentialsAre401WithAChallenge() {
        HttpResponse<byte[]> missing = http.postJson(WHO_AM_I, "{}");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"torii\"");
        assertThat(missing.headers().firstValue("grpc-status")).hasValue("16");

        HttpResponse<byte[]> bad = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer not-a-dummy-credential");
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"invalid_token\"");

        HttpResponse<byte[]> basic = http.postJson(WHO_AM_I, "{}", "Authorization", "Basic YWxpY2U6c2VjcmV0");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"invalid_request\"");
    }

    @Test
    void callersTheRouteDoesNotAdmitAre403() {
        HttpResponse<byte[]> noScope = http.postJson(CREATE, "{}", "Authorization", "Bearer dummy:bob");
        assertThat(noScope.statusCode()).isEqualTo(403);
        assertThat(noScope.headers().firstValue("www-authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"", "scope=\"offers.write\"");

        HttpResponse<byte[]> serviceAccountOnUserRoute = http.postJson(CREATE, "{}",
                "Authorization", "Bearer dummy-sa:batch@torii-dev.iam.gserviceaccount.com:support.reader");
        assertThat(serviceAccountOnUserRoute.statusCode()).isEqualTo(403);

        HttpResponse<byte[]> wrongRole = http.postJson(WHO_AM_I, "{}",
                "Authorization", "Bearer dummy-sa:batch@torii-dev.iam.gserviceaccount.com:reports.reader");
        assertThat(wrongRole.statusCode()).isEqualTo(403);
        assertThat(body(wrongRole)).contains("may not call examples.offer.v1.OfferService/WhoAmI");

        assertThat(http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:!denied").statusCode()).isEqualTo(403);
        assertThat(http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:!unavailable").statusCode()).isEqualTo(503);
    }

    @Test
    void aTokenMintedForAnotherServiceIsRefusedByTheBackend() {
        ManagedChannel authorityChannel = ManagedChannelBuilder.forTarget(authority.grpcTarget()).usePlaintext().build();
        ManagedChannel offerChannel = ManagedChannelBuilder.forAddress("localhost", offers.port()).usePlaintext().build();
        try {
            String foreign = AuthorityGrpc.newBlockingStub(authorityChannel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .exchangeToken(ExchangeTokenRequest.newBuilder().setSubjectToken("dummy:alice")
                            .setAudience("examples.cart.v1.CartService").build())
                    .getPrivateToken();
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + foreign);

            StatusRuntimeException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                    StatusRuntimeException.class,
                    () -> OfferServiceGrpc.newBlockingStub(offerChannel)
                            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .whoAmI(WhoAmIRequest.getDefaultInstance()));

            assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
        } finally {
            authorityChannel.shutdownNow();
            offerChannel.shutdownNow();
        }
    }

    @Test
    void oneCredentialUsedAThousandTimesIsExchangedOnce() throws Exception {
        long before = authorityConnection.client().calls();
        for (int i = 0; i < 1000; i++) {
            assertThat(http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer dummy:carol").statusCode()).isEqualTo(200);
        }
        assertThat(authorityConnection.client().calls() - before).isEqualTo(1);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<byte[]>>> firstUses = new ArrayList<>();
        long beforeConcurrent = authorityConnection.client().calls();
        for (int i = 0; i < 50; i++) {
            firstUses.add(client.sendAsync(HttpRequest.newBuilder(URI.create(http.base() + WHO_AM_I))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer dummy:dave")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (CompletableFuture<HttpResponse<byte[]>> use : firstUses) {
            assertThat(use.get().statusCode()).isEqualTo(200);
        }
        assertThat(authorityConnection.client().calls() - beforeConcurrent).isEqualTo(1);
    }

    @Test
    void protobufEncodedByProtocRoundTrips() throws Exception {
        byte[] request = protoc("--encode=examples.offer.v1.CreateOfferRequest",
                "item_id: \"item-9\" title: \"Kimono\" price { currency_code: \"JPY\" units: 30000 }"
                        .getBytes(StandardCharsets.UTF_8));

        HttpResponse<byte[]> response = http.post(CREATE, "application/x-protobuf", request,
                "Authorization", "Bearer dummy:erin:offers.write");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-protobuf");
        String decoded = new String(protoc("--decode=examples.offer.v1.Offer", response.body()), StandardCharsets.UTF_8);
        assertThat(decoded).contains("item_id: \"item-9\"", "title: \"Kimono\"", "units: 30000",
                "state: OFFER_STATE_OPEN", "seller_id: \"erin\"");
        assertThat(Offer.parseFrom(response.body()).getTitle()).isEqualTo("Kimono");
    }

    @Test
    void unknownOfferIs404AndInvalidInputIs400WithDetails() throws Exception {
        HttpResponse<byte[]> missing = http.post(GET, "application/protobuf",
                GetOfferRequest.newBuilder().setId("00000000-0000-4000-8000-000000000000").build().toByteArray());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Status.parseFrom(missing.body()).getMessage()).contains("not found");

        HttpResponse<byte[]> malformed = http.postJson(GET, "{\"id\": \"abc\"}");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(body(malformed)).contains("\"@type\":\"type.googleapis.com/google.rpc.BadRequest\"");

        HttpResponse<byte[]> invalid = http.post(CREATE, "application/x-protobuf", new byte[0],
                "Authorization", "Bearer dummy:frank:offers.write");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(Status.parseFrom(invalid.body()).getDetails(0).unpack(BadRequest.class).getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .containsExactly("item_id", "title", "price");
    }

    @Test
    void bodiesTheBackendsParserWouldChokeOnOrMisreadAre400NamingTheField() throws Exception {
        byte[] valid = CreateOfferRequest.newBuilder().setItemId("item-3").setTitle("Tea set")
                .setPrice(Money.newBuilder().setCurrencyCode("JPY").setUnits(4000)).build().toByteArray();
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.writeBytes(valid);
        // Field 99, unknown to the service: 101 nested groups, one more than protobuf-java parses.
        for (int i = 0; i < 101; i++) {
            bomb.writeBytes(new byte[] {(byte) 0x9b, 0x06});
        }
        for (int i = 0; i < 101; i++) {
            bomb.writeBytes(new byte[] {(byte) 0x9c, 0x06});
        }
        // price { units } as a 64-bit value instead of a varint.
        ByteArrayOutputStream lie = new ByteArrayOutputStream();
        lie.writeBytes(CreateOfferRequest.newBuilder().setItemId("item-3").setTitle("Tea set").build().toByteArray());
        lie.writeBytes(new byte[] {0x1a, 0x0e, 0x0a, 0x03, 'J', 'P', 'Y', 0x11, (byte) 0xa0, 0x0f, 0, 0, 0, 0, 0, 0});
        ByteArrayOutputStream latin1 = new ByteArrayOutputStream();
        latin1.writeBytes(CreateOfferRequest.newBuilder().setItemId("item-3")
                .setPrice(Money.newBuilder().setCurrencyCode("JPY").setUnits(4000)).build().toByteArray());
        latin1.writeBytes(new byte[] {0x12, 0x04, 'C', 'a', 'f', (byte) 0xe9});

        assertThat(http.post(CREATE, "application/x-protobuf", valid, "Authorization", "Bearer dummy:gina:offers.write")
                .statusCode()).isEqualTo(200);
        assertRefused(bomb.toByteArray(), "dummy:hank:offers.write",
                "nested more than 100 messages deep", "field #99");
        assertRefused(lie.toByteArray(), "dummy:ivan:offers.write",
                "field price.units: wire type 64-bit at byte 24 (expected: varint for int64)");
        assertRefused(latin1.toByteArray(), "dummy:judy:offers.write",
                "field title: invalid UTF-8 at byte 23 (expected: UTF-8 text in a string field)");
    }

    private void assertRefused(byte[] body, String credential, String... expected) throws IOException {
        HttpResponse<byte[]> response = http.post(CREATE, "application/x-protobuf", body, "Authorization", "Bearer " + credential);

        assertThat(response.statusCode()).isEqualTo(400);
        Status status = Status.parseFrom(response.body());
        assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT.value());
        assertThat(status.getMessage()).startsWith("request body is not a valid examples.offer.v1.CreateOfferRequest: ")
                .contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/torii.authority.v1.Authority/ExchangeToken", "/examples.offer.v1.OfferService/DeleteOffer"})
    void unexposedMethodsAre404(String path) {
        assertThat(http.postJson(path, "{}", "Authorization", "Bearer dummy:alice").statusCode()).isEqualTo(404);
    }

    private static byte[] protoc(String mode, byte[] input) throws IOException, InterruptedException {
        // Maven copies artifacts without the executable bit.
        assertThat(PROTOC.toFile().setExecutable(true)).as("protoc fetched by Maven: " + PROTOC).isTrue();
        Process process = new ProcessBuilder(PROTOC.toString(), "--descriptor_set_in=" + DESCRIPTOR_SET, mode,
                "examples/offer/v1/offer.proto").start();
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (var in = process.getOutputStream()) {
            in.write(input);
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(new String(stderr.join(), StandardCharsets.UTF_8)).isZero();
        return stdout.join();
    }

    private static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertThat(matcher.find()).as(json).isTrue();
        return matcher.group(1);
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
