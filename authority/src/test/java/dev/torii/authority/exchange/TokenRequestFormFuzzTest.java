package dev.torii.authority.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes the token endpoint's form parser, which reads whatever body a client posts: every body
 * is parsed or refused with the endpoint's own {@code invalid_request} error (never another
 * exception), and whatever a standard encoder writes is read back as it was.
 */
class TokenRequestFormFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parsesOrRefusesAsAnInvalidRequest(byte[] body) {
        try {
            assertThat(TokenRequestForm.parse(body)).isNotNull();
        } catch (InvalidExchangeRequestException e) {
            assertThat(e.getMessage()).startsWith("form: ");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void readsBackWhatAnEncoderWrote(FuzzedDataProvider data) {
        // What UTF-8 can carry: a lone surrogate becomes '?' on the way, as any encoder makes it.
        String name = utf8(data.consumeString(64));
        String value = utf8(data.consumeRemainingAsString());
        String body = URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8);

        assertThat(TokenRequestForm.parse(body.getBytes(StandardCharsets.US_ASCII)))
                .containsExactly(entry(name, List.of(value)));
    }

    private static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
