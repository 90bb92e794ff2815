package dev.torii.authority.verify;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configures which Google service accounts may call, with which roles, and where Google's keys
 * are. Every URL is configurable so tests and air-gapped installs can serve them locally.
 *
 * @param enabled whether service-account credentials are accepted at all
 * @param serviceAccounts the allow-list: each account's email and roles; an account not listed
 *     is refused with PERMISSION_DENIED
 * @param audiences accepted {@code aud} values of Google ID tokens and self-signed JWTs (for
 *     example the Authority's issuer URL); must not be empty when enabled
 * @param idTokenIssuers accepted {@code iss} values of Google-issued ID tokens
 * @param idTokenJwksUri Google's JWKS for ID tokens
 * @param x509UrlTemplate where an account's public certificates are published, with
 *     {@code {email}} standing for the account email
 * @param maxTokenLifetime the longest {@code exp - iat} a self-signed JWT may have
 * @param clockSkew tolerance on {@code exp}, {@code iat} and {@code nbf}
 * @param keysCacheTtl how long fetched keys and certificates are trusted before a refresh, when
 *     Google gives no {@code Cache-Control: max-age} (see {@link KeyEndpointSettings})
 * @param keysRefreshFloor the shortest time between two fetches caused by an unknown {@code kid}
 * @param timeout how long one fetch from Google may take
 */
public record GoogleServiceAccountSettings(
        @DefaultValue("false") boolean enabled,
        @DefaultValue List<AllowedServiceAccount> serviceAccounts,
        @DefaultValue List<String> audiences,
        @DefaultValue({"https://accounts.google.com", "accounts.google.com"}) List<String> idTokenIssuers,
        @DefaultValue("https://www.googleapis.com/oauth2/v3/certs") URI idTokenJwksUri,
        @DefaultValue("https://www.googleapis.com/service_accounts/v1/metadata/x509/{email}") String x509UrlTemplate,
        @DefaultValue("1h") Duration maxTokenLifetime,
        @DefaultValue("30s") Duration clockSkew,
        @DefaultValue("1h") Duration keysCacheTtl,
        @DefaultValue("30s") Duration keysRefreshFloor,
        @DefaultValue("2s") Duration timeout) {

    /**
     * Names one service account that may call, and its roles.
     *
     * @param email the account email, such as {@code batch@project.iam.gserviceaccount.com}
     * @param roles the roles its private tokens carry
     */
    public record AllowedServiceAccount(String email, @DefaultValue List<String> roles) {}
}
