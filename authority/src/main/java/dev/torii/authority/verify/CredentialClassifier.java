package dev.torii.authority.verify;

import com.nimbusds.jose.util.Base64URL;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Decides which verifier a credential belongs to when the caller did not say
 * ({@code CREDENTIAL_TYPE_UNSPECIFIED}), from its unverified claims.
 *
 * <p>The decision only routes the credential; it proves nothing. Whatever it decides, the chosen
 * verifier checks everything, and a credential routed the wrong way is simply rejected there.
 */
public final class CredentialClassifier {

    private static final String SERVICE_ACCOUNT_DOMAIN = ".gserviceaccount.com";

    private CredentialClassifier() {}

    /**
     * Classifies a credential: a three-part JWT whose unverified {@code iss} is a Google ID-token
     * issuer, or whose {@code iss} equals its {@code sub} and ends in {@code .gserviceaccount.com},
     * is {@link CredentialKind#GOOGLE_SERVICE_ACCOUNT}; anything else, garbage included, is {@link
     * CredentialKind#ACCESS_TOKEN}. Never throws for any credential.
     *
     * @param credential the raw credential, possibly null or garbage
     * @param googleIdTokenIssuers the accepted Google ID-token issuers, as in {@link
     *     GoogleServiceAccountSettings#idTokenIssuers()}
     * @return the kind of credential
     */
    public static CredentialKind classify(String credential, Collection<String> googleIdTokenIssuers) {
        Objects.requireNonNull(googleIdTokenIssuers, "googleIdTokenIssuers");
        // Oversize credentials are not decoded here either; the access-token verifier rejects them.
        if (credential == null || credential.length() > CredentialChecks.MAX_CREDENTIAL_CHARS) {
            return CredentialKind.ACCESS_TOKEN;
        }
        int firstDot = credential.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : credential.indexOf('.', firstDot + 1);
        if (secondDot < 0 || credential.indexOf('.', secondDot + 1) >= 0) {
            return CredentialKind.ACCESS_TOKEN;
        }
        try {
            Map<String, Object> claims = StrictJson.parseObject(
                    new Base64URL(credential.substring(firstDot + 1, secondDot)).decodeToString());
            if (claims.get("iss") instanceof String issuer) {
                if (googleIdTokenIssuers.contains(issuer)) {
                    return CredentialKind.GOOGLE_SERVICE_ACCOUNT;
                }
                if (issuer.equals(claims.get("sub"))
                        && issuer.toLowerCase(Locale.ROOT).endsWith(SERVICE_ACCOUNT_DOMAIN)) {
                    return CredentialKind.GOOGLE_SERVICE_ACCOUNT;
                }
            }
        } catch (java.text.ParseException | RuntimeException e) {
            // Not a JWT with a JSON payload: an opaque token, or garbage the verifier will reject.
        }
        return CredentialKind.ACCESS_TOKEN;
    }
}
