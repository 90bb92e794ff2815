package dev.torii.authority.verify;

import static dev.torii.authority.testing.TestTokens.b64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.authority.testing.TestTokens;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CredentialClassifierTest {

    private static final List<String> GOOGLE_ISSUERS = List.of("https://accounts.google.com", "accounts.google.com");

    private static String jwt(String payloadJson) {
        return b64("{\"alg\":\"RS256\",\"kid\":\"k\"}") + "." + b64(payloadJson) + ".c2lnbmF0dXJl";
    }

    static Stream<Arguments> serviceAccountCredentials() {
        return Stream.of(
                Arguments.of("Google ID token", jwt("{\"iss\":\"https://accounts.google.com\",\"sub\":\"1234\"}")),
                Arguments.of("Google ID token, short issuer", jwt("{\"iss\":\"accounts.google.com\",\"sub\":\"1234\"}")),
                Arguments.of("self-signed service-account JWT",
                        jwt("{\"iss\":\"batch@proj.iam.gserviceaccount.com\",\"sub\":\"batch@proj.iam.gserviceaccount.com\"}")),
                Arguments.of("self-signed, domain in capitals",
                        jwt("{\"iss\":\"batch@proj.IAM.GSERVICEACCOUNT.COM\",\"sub\":\"batch@proj.IAM.GSERVICEACCOUNT.COM\"}")),
                Arguments.of("unsigned, still routed: the verifier rejects it",
                        b64("{\"alg\":\"none\"}") + "." + b64("{\"iss\":\"accounts.google.com\"}") + "."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceAccountCredentials")
    void routesGoogleCredentialsToTheServiceAccountVerifier(String description, String credential) {
        assertThat(CredentialClassifier.classify(credential, GOOGLE_ISSUERS)).isEqualTo(CredentialKind.GOOGLE_SERVICE_ACCOUNT);
    }

    static Stream<Arguments> accessTokens() {
        String googlePayload = "{\"iss\":\"https://accounts.google.com\"}";
        return Stream.of(
                Arguments.of("OIDC access token", jwt("{\"iss\":\"https://idp.example.com\",\"sub\":\"user-1\"}")),
                Arguments.of("iss equals sub outside Google", jwt("{\"iss\":\"a@example.com\",\"sub\":\"a@example.com\"}")),
                Arguments.of("service-account iss, different sub",
                        jwt("{\"iss\":\"batch@proj.iam.gserviceaccount.com\",\"sub\":\"other@proj.iam.gserviceaccount.com\"}")),
                Arguments.of("domain only as a prefix",
                        jwt("{\"iss\":\"x@gserviceaccount.com.evil.example\",\"sub\":\"x@gserviceaccount.com.evil.example\"}")),
                Arguments.of("Google issuer as a number", jwt("{\"iss\":42}")),
                Arguments.of("Google issuer in another case", jwt("{\"iss\":\"HTTPS://ACCOUNTS.GOOGLE.COM\"}")),
                Arguments.of("opaque token", "2YotnFZFEjr1zCsicMWpAA"),
                Arguments.of("null", null),
                Arguments.of("empty", ""),
                Arguments.of("dots only", ".."),
                Arguments.of("two parts", b64("{}") + "." + b64(googlePayload)),
                Arguments.of("five parts, as a JWE", b64("{}") + "." + b64(googlePayload) + ".a.b.c"),
                Arguments.of("payload not base64url", "abc.%%%%.def"),
                Arguments.of("payload not JSON", "abc." + b64("{iss: google") + ".def"),
                Arguments.of("payload a JSON array", "abc." + b64("[\"https://accounts.google.com\"]") + ".def"),
                Arguments.of("payload deeply nested", "abc." + b64("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}") + ".d"),
                Arguments.of("oversize Google ID token",
                        jwt("{\"iss\":\"https://accounts.google.com\",\"pad\":\"" + "x".repeat(16 * 1024) + "\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accessTokens")
    void treatsEverythingElseAsAnAccessToken(String description, String credential) {
        assertThat(CredentialClassifier.classify(credential, GOOGLE_ISSUERS)).isEqualTo(CredentialKind.ACCESS_TOKEN);
    }
}
