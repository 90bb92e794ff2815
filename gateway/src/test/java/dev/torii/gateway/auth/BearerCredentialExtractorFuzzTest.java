package dev.torii.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torii.gateway.error.GatewayError;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.http.HttpHeaders;

/**
 * Fuzzes bearer-credential extraction from {@code Authorization} headers: a credential that is
 * printable ASCII without spaces and within the length limit, no credential, or a 401 with a
 * {@code WWW-Authenticate} challenge; nothing else.
 */
class BearerCredentialExtractorFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void extractsAPlainCredentialOrAnswers401(byte[] input) {
        // Each line is one Authorization header (none for an empty input), in ISO-8859-1 as headers arrive.
        HttpHeaders headers = new HttpHeaders();
        String[] values = input.length == 0 ? new String[0] : new String(input, StandardCharsets.ISO_8859_1).split("\n", 4);
        int count = Math.min(values.length, 3);
        for (int i = 0; i < count; i++) {
            headers.add(HttpHeaders.AUTHORIZATION, values[i]);
        }

        Optional<String> credential;
        try {
            credential = BearerCredentialExtractor.extract(headers);
        } catch (GatewayError refused) {
            assertThat(refused.httpStatus()).isEqualTo(401);
            assertThat(refused.headers()).containsKey("WWW-Authenticate");
            assertThat(refused.headers().get("WWW-Authenticate")).matches("[\\x20-\\x7e]*");
            return;
        }
        assertThat(credential.isPresent()).isEqualTo(count > 0);
        credential.ifPresent(token -> {
            assertThat(token).isNotEmpty().hasSizeLessThanOrEqualTo(BearerCredentialExtractor.MAX_LENGTH);
            assertThat(token.chars()).allMatch(c -> c > 0x20 && c < 0x7f);
        });
    }
}
