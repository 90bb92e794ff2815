package dev.torii.authority.verify;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.authority.verify.GoogleServiceAccountSettings.AllowedServiceAccount;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;

/** Checks that a verifier refuses at startup the settings it could never work with. */
class VerifierSettingsTest {

    private static final Executor DIRECT = Runnable::run;
    private static final KeyFetchMonitor MONITOR = new KeyFetchMonitor(Clock.systemUTC());
    private static final Duration TWO_SECONDS = Duration.ofSeconds(2);

    @Test
    void introspectionNeedsAnEndpoint() {
        IntrospectionSettings settings = new IntrospectionSettings(Optional.empty(), Optional.of("authority"),
                Optional.of("secret"), TWO_SECONDS, "sub");
        assertThatThrownBy(() -> new IntrospectionVerifier(settings, Clock.systemUTC(), DIRECT, WebClient.builder()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoint: absent (expected: the identity provider's RFC 7662 introspection URL)");
    }

    @Test
    void introspectionNeedsClientCredentials() {
        IntrospectionSettings settings = new IntrospectionSettings(Optional.of(URI.create("https://idp.example/introspect")),
                Optional.of("authority"), Optional.empty(), TWO_SECONDS, "sub");
        assertThatThrownBy(() -> new IntrospectionVerifier(settings, Clock.systemUTC(), DIRECT, WebClient.builder()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("clientSecret: absent");
    }

    @Test
    void introspectionNeedsAPositiveTimeout() {
        IntrospectionSettings settings = new IntrospectionSettings(Optional.of(URI.create("https://idp.example/introspect")),
                Optional.of("authority"), Optional.of("secret"), Duration.ZERO, "sub");
        assertThatThrownBy(() -> new IntrospectionVerifier(settings, Clock.systemUTC(), DIRECT, WebClient.builder()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout: PT0S (expected: > 0)");
    }

    @Test
    void oidcNeedsAnIssuer() {
        OidcJwtSettings settings = new OidcJwtSettings(Optional.empty(), Optional.empty(), List.of(), Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofSeconds(30), TWO_SECONDS, "scope");
        assertThatThrownBy(() -> new OidcJwtVerifier(settings, Clock.systemUTC(), DIRECT, WebClient.builder(), KeyEndpointSettings.defaults(), MONITOR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("issuer: absent");
    }

    @Test
    void oidcNeedsARefreshFloorShorterThanTheCacheTimeToLive() {
        OidcJwtSettings settings = new OidcJwtSettings(Optional.of("https://idp.example"), Optional.empty(), List.of(),
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), TWO_SECONDS, "scope");
        assertThatThrownBy(() -> new OidcJwtVerifier(settings, Clock.systemUTC(), DIRECT, WebClient.builder(), KeyEndpointSettings.defaults(), MONITOR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jwksRefreshFloor: PT30S (expected: shorter than jwksCacheTtl PT30S)");
    }

    private static GoogleServiceAccountSettings google(List<AllowedServiceAccount> accounts, List<String> audiences,
            String x509UrlTemplate) {
        return new GoogleServiceAccountSettings(true, accounts, audiences, List.of("https://accounts.google.com"),
                URI.create("https://www.googleapis.com/oauth2/v3/certs"), x509UrlTemplate, Duration.ofHours(1),
                Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(30), TWO_SECONDS);
    }

    private static final String TEMPLATE = "https://www.googleapis.com/service_accounts/v1/metadata/x509/{email}";

    @Test
    void googleNeedsAnAudience() {
        assertThatThrownBy(() -> new GoogleServiceAccountVerifier(google(List.of(), List.of(), TEMPLATE), Clock.systemUTC(),
                DIRECT, WebClient.builder(), KeyEndpointSettings.defaults(), MONITOR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("audiences: [] (expected: at least one");
    }

    @Test
    void googleNeedsTheEmailPlaceholderInTheCertificateUrl() {
        assertThatThrownBy(() -> new GoogleServiceAccountVerifier(
                google(List.of(), List.of("https://authority.example"), "https://keys.example/x509/"), Clock.systemUTC(), DIRECT, WebClient.builder(), KeyEndpointSettings.defaults(), MONITOR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("x509UrlTemplate: 'https://keys.example/x509/' (expected: a URL containing {email}");
    }

    @Test
    void googleRefusesAnAccountListedTwice() {
        List<AllowedServiceAccount> accounts = List.of(
                new AllowedServiceAccount("batch@proj.iam.gserviceaccount.com", List.of("a")),
                new AllowedServiceAccount("Batch@proj.iam.gserviceaccount.com", List.of("b")));
        assertThatThrownBy(() -> new GoogleServiceAccountVerifier(
                google(accounts, List.of("https://authority.example"), TEMPLATE), Clock.systemUTC(), DIRECT, WebClient.builder(), KeyEndpointSettings.defaults(), MONITOR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("serviceAccounts: 'batch@proj.iam.gserviceaccount.com' listed twice");
    }
}
