package dev.torii.gateway.auth;

import dev.torii.authority.v1.CredentialType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tells a Google service-account credential from a user access token by its shape, without
 * verifying anything (the Authority verifies): a three-part JWT whose {@code iss} is Google's
 * ID-token issuer, or whose {@code iss} equals its {@code sub} and ends in
 * {@code .gserviceaccount.com} (a self-signed service-account JWT), is a service-account
 * credential; anything else is a user access token.
 */
final class CredentialShape {

    private static final Set<String> GOOGLE_ISSUERS = Set.of("https://accounts.google.com", "accounts.google.com");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CredentialShape() {}

    /**
     * Classifies a credential.
     *
     * @param credential the bearer credential
     * @return the credential type to ask the Authority for
     */
    static CredentialType classify(String credential) {
        int first = credential.indexOf('.');
        int second = first < 0 ? -1 : credential.indexOf('.', first + 1);
        if (first <= 0 || second < 0 || credential.indexOf('.', second + 1) >= 0) {
            return CredentialType.CREDENTIAL_TYPE_ACCESS_TOKEN;
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(credential.substring(first + 1, second));
            JsonNode claims = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
            String issuer = claims.path("iss").asString("");
            String subject = claims.path("sub").asString("");
            if (GOOGLE_ISSUERS.contains(issuer)
                    || (issuer.equals(subject) && issuer.endsWith(".gserviceaccount.com"))) {
                return CredentialType.CREDENTIAL_TYPE_GOOGLE_SERVICE_ACCOUNT;
            }
        } catch (RuntimeException e) {
            // Not a JWT after all: the Authority decides what it is.
        }
        return CredentialType.CREDENTIAL_TYPE_ACCESS_TOKEN;
    }
}
