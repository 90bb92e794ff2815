package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayHttpTargetTest {

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
