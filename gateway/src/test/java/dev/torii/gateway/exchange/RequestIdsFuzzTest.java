package dev.torii.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes which client {@code x-request-id} values are kept: never an exception, and only ids that
 * are safe in logs and headers.
 */
class RequestIdsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void keepsOnlySafeIds(byte[] value) {
        // Header values reach the gateway as ISO-8859-1 characters.
        String id = new String(value, StandardCharsets.ISO_8859_1);
        if (RequestIds.acceptable(id)) {
            assertThat(id).matches("[A-Za-z0-9._:-]{1,128}");
        }
    }
}
