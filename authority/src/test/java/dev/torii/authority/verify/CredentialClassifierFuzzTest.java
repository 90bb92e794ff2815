package dev.torii.authority.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Fuzzes the credential classifier, which reads unverified claims of whatever a client sends:
 * it never throws, whatever the credential, and a JWT-shaped credential carrying a listed
 * issuer is routed to the Google verifier.
 */
class CredentialClassifierFuzzTest {

    private static final List<String> ISSUERS = List.of("https://accounts.google.com", "accounts.google.com");

    @FuzzTest(maxDuration = "60s")
    void neverThrows(FuzzedDataProvider data) {
        String credential;
        if (data.consumeBoolean()) {
            credential = data.consumeRemainingAsString();
        } else {
            // A JWT shape with a fuzzed payload, so the claim parser sees arbitrary JSON.
            Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
            String header = base64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
            String payload = base64.encodeToString(data.consumeRemainingAsString().getBytes(StandardCharsets.UTF_8));
            credential = header + "." + payload + ".c2ln";
        }

        assertThat(CredentialClassifier.classify(credential, ISSUERS)).isNotNull();
    }

    @FuzzTest(maxDuration = "60s")
    void aListedIssuerIsAGoogleCredential(FuzzedDataProvider data) {
        String subject = data.consumeString(1000);
        String claims = "{\"iss\":\"https://accounts.google.com\",\"sub\":" + json(subject) + "}";
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8));

        assertThat(CredentialClassifier.classify("e30." + payload + ".c2ln", ISSUERS))
                .isEqualTo(CredentialKind.GOOGLE_SERVICE_ACCOUNT);
    }

    private static String json(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        value.codePoints().forEach(c -> {
            if (c >= 0xd800 && c <= 0xdfff) {
                quoted.append('?');
            } else if (c == '"' || c == '\\' || c < 0x20) {
                quoted.append(String.format("\\u%04x", c));
            } else {
                quoted.appendCodePoint(c);
            }
        });
        return quoted.append('"').toString();
    }
}
