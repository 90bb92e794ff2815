package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the {@code grpc-timeout} header parser: a value is a non-negative timeout or an
 * {@link IllegalArgumentException} (a 400) naming the header, nothing else.
 */
class GrpcTimeoutFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void isATimeoutOrABadRequest(byte[] value) {
        // Header values reach the gateway as ISO-8859-1 characters.
        String header = new String(value, StandardCharsets.ISO_8859_1);
        long nanos;
        try {
            nanos = GrpcTimeout.parseNanos(header);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).startsWith("grpc-timeout: '");
            return;
        }
        assertThat(nanos).isNotNegative();
        assertThat(header).matches("[0-9]{1,8}[HMSmun]");
        assertThat(GrpcTimeout.describe(nanos)).isNotEmpty();
    }
}
