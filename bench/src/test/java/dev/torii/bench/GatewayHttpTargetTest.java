package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayHttpTargetTest {

    private static final String OFFER_ID = "5f0c1a9e-2b7d-4c3e-9a61-0d2f8e4b7c15";

    @Test
    void legacyAndConnectPostTheRequestMessageAsProtobuf() throws InvalidProtocolBufferException {
        GatewayHttpTarget.Request legacy = GatewayHttpTarget.Dialect.LEGACY.request(OFFER_ID);
        GatewayHttpTarget.Request connect = GatewayHttpTarget.Dialect.CONNECT.request(OFFER_ID);

        assertThat(legacy.method()).isEqualTo(HttpMethod.POST);
        assertThat(legacy.path()).isEqualTo("/examples.offer.v1.OfferService/GetOffer");
        assertThat(GetOfferRequest.parseFrom(legacy.body()).getId()).isEqualTo(OFFER_ID);
        assertThat(legacy.headers()).containsOnly(Map.entry("content-type", "application/x-protobuf"),
                Map.entry("accept", "application/x-protobuf"),
                Map.entry("content-length", Integer.toString(legacy.body().length)));
        assertThat(connect.path()).isEqualTo(legacy.path());
        assertThat(connect.body()).isEqualTo(legacy.body());
        assertThat(connect.headers()).containsEntry("content-type", "application/proto")
                .containsEntry("connect-protocol-version", "1");
        assertThat(GatewayHttpTarget.Dialect.CONNECT.answer()).isEqualTo(GatewayHttpTarget.Encoding.PROTOBUF);
    }

    @Test
    void jsonPostsTheIdAsJsonToTheSamePath() {
        GatewayHttpTarget.Request json = GatewayHttpTarget.Dialect.JSON.request(OFFER_ID);

        assertThat(json.method()).isEqualTo(HttpMethod.POST);
        assertThat(json.path()).isEqualTo(GatewayHttpTarget.PATH);
        assertThat(new String(json.body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"" + OFFER_ID + "\"}");
        assertThat(json.headers()).containsOnly(Map.entry("content-type", "application/json"),
                Map.entry("accept", "application/json"), Map.entry("content-length", "45"));
        assertThat(GatewayHttpTarget.Dialect.JSON.answer()).isEqualTo(GatewayHttpTarget.Encoding.JSON);
    }

    @Test
    void restGetsTheOffersPathFromTheProtosBindingWithoutABody() {
        GatewayHttpTarget.Request rest = GatewayHttpTarget.Dialect.REST.request(OFFER_ID);

        assertThat(GatewayHttpTarget.Dialect.restTemplate()).isEqualTo("/v1/offers/{id}");
        assertThat(rest.method()).isEqualTo(HttpMethod.GET);
        assertThat(rest.path()).isEqualTo("/v1/offers/" + OFFER_ID);
        assertThat(rest.hasBody()).isFalse();
        // No Content-Type or Content-Length: there is no body to describe.
        assertThat(rest.headers()).containsOnly(Map.entry("accept", "application/json"));
        assertThat(GatewayHttpTarget.Dialect.REST.answer()).isEqualTo(GatewayHttpTarget.Encoding.JSON);
    }

    @Test
    void jsonAnswerYieldsTheOfferIdWhateverTheSpacingOrSaysItIsNoOffer() {
        assertThat(GatewayHttpTarget.Encoding.JSON.offerId(("{\"id\":\"" + OFFER_ID + "\",\"itemId\":\"bench-item\","
                + "\"price\":{\"currencyCode\":\"JPY\",\"units\":\"12000\"}}").getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(OFFER_ID);
        assertThat(GatewayHttpTarget.Encoding.jsonId(" {\n  \"itemId\": \"i\",\n  \"id\" : \"o-1\"\n}")).isEqualTo("o-1");
        assertThat(GatewayHttpTarget.Encoding.jsonId("{\"title\":\"\\\"id\\\"\",\"id\":\"o-2\"}")).isEqualTo("o-2");
        assertThat(GatewayHttpTarget.Encoding.jsonId("{\"itemId\":\"i\"}")).isNull();
        assertThat(GatewayHttpTarget.Encoding.jsonId("{\"id\":12}")).isNull();
        assertThat(GatewayHttpTarget.Encoding.jsonId("[\"id\",\"x\"]")).isNull();
        assertThat(GatewayHttpTarget.Encoding.jsonId("")).isNull();
        assertThatThrownBy(() -> GatewayHttpTarget.Encoding.JSON.offerId(
                Offer.newBuilder().setId(OFFER_ID).build().toByteArray()))
                .hasMessageStartingWith("answer of 38 bytes is not a JSON Offer (expected: an object with an"
                        + " \"id\" string): ");
    }

    @Test
    void onlyTextAnswersAreQuotedInAReason() {
        assertThat(GatewayHttpTarget.isText("application/json")).isTrue();
        assertThat(GatewayHttpTarget.isText("Application/JSON; charset=utf-8")).isTrue();
        assertThat(GatewayHttpTarget.isText("text/plain;charset=UTF-8")).isTrue();
        assertThat(GatewayHttpTarget.isText("application/x-protobuf")).isFalse();
        assertThat(GatewayHttpTarget.isText("application/proto")).isFalse();
        assertThat(GatewayHttpTarget.isText(null)).isFalse();
    }

    @Test
    void protobufAnswerYieldsTheOfferIdOrSaysItIsNoOffer() {
        byte[] offer = Offer.newBuilder().setId(OFFER_ID).setTitle("Benchmark offer").build().toByteArray();

        assertThat(GatewayHttpTarget.Encoding.PROTOBUF.offerId(offer)).isEqualTo(OFFER_ID);
        assertThatThrownBy(() -> GatewayHttpTarget.Encoding.PROTOBUF.offerId(new byte[] {(byte) 0xff}))
                .hasMessageStartingWith("answer of 1 bytes is not an Offer: ");
    }

    @Test
    void failureCarriesTheGatewaysReasonDecoded() {
        assertThat(GatewayHttpTarget.failure(401, "16",
                "credential rejected: not a dummy credential (expected: dummy:<user>%5B:scope,...%5D)"))
                .isEqualTo("HTTP 401, grpc-status 16: credential rejected: not a dummy credential"
                        + " (expected: dummy:<user>[:scope,...]) (expected: 200)");
        assertThat(GatewayHttpTarget.failure(502, null, null)).isEqualTo("HTTP 502, grpc-status null (expected: 200)");
    }

    @Test
    void failureCutsALongMessageSoReasonsStayGroupable() {
        assertThat(GatewayHttpTarget.failure(503, "14", "x".repeat(500))).hasSize(
                "HTTP 503, grpc-status 14: ".length() + 200 + "...".length() + " (expected: 200)".length());
    }

    @Test
    void percentDecodingReadsUtf8AndKeepsPlusAndBrokenEscapes() {
        assertThat(GatewayHttpTarget.percentDecode("caf%C3%A9 a+b 100%25")).isEqualTo("café a+b 100%");
        assertThat(GatewayHttpTarget.percentDecode("50%")).isEqualTo("50%");
        assertThat(GatewayHttpTarget.percentDecode("%zz%4")).isEqualTo("%zz%4");
    }
}
