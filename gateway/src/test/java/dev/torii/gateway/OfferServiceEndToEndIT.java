package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import com.google.rpc.Status;
import dev.torii.examples.offer.OfferServer;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.gateway.testing.HttpCalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the product as a newcomer would: the real example offer service behind the gateway, with
 * the route files of the repository, called with JSON and with protobuf encoded by protoc.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OfferServiceEndToEndIT {

    private static final String CREATE = "/examples.offer.v1.OfferService/CreateOffer";
    private static final String GET = "/examples.offer.v1.OfferService/GetOffer";
    private static final Path PROTOC = Path.of(System.getProperty("torii.test.protoc", "target/tools/protoc"));
    private static final Path DESCRIPTOR_SET = Path.of(System.getProperty("torii.test.descriptor-set",
            "../proto/target/classes/META-INF/torii/descriptors/torii-proto.binpb"));

    private static OfferServer offers;

    @Autowired
    private Environment environment;

    private HttpCalls http;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        offers = OfferServer.start(0);
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stop() {
        offers.close();
    }

    @BeforeEach
    void client() {
        http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));
    }

    @Test
    void createThenGetWithJson() {
        HttpResponse<byte[]> created = http.postJson(CREATE,
                "{\"itemId\": \"item-1\", \"title\": \"Vintage camera\", \"price\": {\"currencyCode\": \"JPY\", \"units\": \"12000\"}}");
        assertThat(created.statusCode()).isEqualTo(200);
        String id = field(body(created), "id");

        HttpResponse<byte[]> fetched = http.postJson(GET, "{\"id\": \"" + id + "\"}");

        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(body(fetched)).contains("\"title\":\"Vintage camera\"", "\"units\":\"12000\"",
                "\"state\":\"OFFER_STATE_OPEN\"");
    }

    @Test
    void protobufEncodedByProtocRoundTrips() throws Exception {
        byte[] request = protoc("--encode=examples.offer.v1.CreateOfferRequest",
                "item_id: \"item-9\" title: \"Kimono\" price { currency_code: \"JPY\" units: 30000 }"
                        .getBytes(StandardCharsets.UTF_8));

        HttpResponse<byte[]> response = http.post(CREATE, "application/x-protobuf", request);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-protobuf");
        String decoded = new String(protoc("--decode=examples.offer.v1.Offer", response.body()), StandardCharsets.UTF_8);
        assertThat(decoded).contains("item_id: \"item-9\"", "title: \"Kimono\"", "units: 30000",
                "state: OFFER_STATE_OPEN", "seller_id: \"anonymous\"");
        // And the project's own classes agree with protoc about the bytes.
        assertThat(Offer.parseFrom(response.body()).getTitle()).isEqualTo("Kimono");
    }

    @Test
    void unknownOfferIs404AndMalformedIdIs400WithDetails() throws Exception {
        HttpResponse<byte[]> missing = http.post(GET, "application/protobuf",
                GetOfferRequest.newBuilder().setId("00000000-0000-4000-8000-000000000000").build().toByteArray());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Status.parseFrom(missing.body()).getMessage()).contains("not found");

        HttpResponse<byte[]> malformed = http.postJson(GET, "{\"id\": \"abc\"}");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(body(malformed)).contains("\"@type\":\"type.googleapis.com/google.rpc.BadRequest\"");

        HttpResponse<byte[]> invalid = http.post(CREATE, "application/x-protobuf", new byte[0]);
        assertThat(invalid.statusCode()).isEqualTo(400);
        Status status = Status.parseFrom(invalid.body());
        assertThat(status.getDetails(0).unpack(BadRequest.class).getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .containsExactly("item_id", "title", "price");
    }

    @Test
    void whoAmIShowsWhatTheBackendReceived() {
        HttpResponse<byte[]> response = http.postJson("/examples.offer.v1.OfferService/WhoAmI", "{}",
                "Accept-Language", "ja", "Authorization", "Bearer client-secret");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body(response)).contains("\"type\":\"anonymous\"", "\"accept-language\":\"ja\"", "\"x-request-id\"")
                .doesNotContain("client-secret", "authorization");
    }

    @Test
    void streamingMethodIsNotExposed() {
        assertThat(http.postJson("/examples.offer.v1.OfferService/WatchOffers", "{}").statusCode()).isEqualTo(404);
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
