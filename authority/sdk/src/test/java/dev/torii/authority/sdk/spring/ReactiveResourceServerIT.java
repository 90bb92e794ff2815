package dev.torii.authority.sdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.torii.authority.sdk.testing.JwksServer;
import dev.torii.authority.sdk.testing.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Runs a real reactive Spring Boot application that only sets the {@code torii.authority.*}
 * properties: Spring Boot's default resource-server security must pick up the auto-configured
 * decoder and authorities.
 */
@SpringBootTest(
        classes = ReactiveResourceServerIT.Backend.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
class ReactiveResourceServerIT {

    private static final JwksServer authority;
    private static final RSAKey key = TestTokens.rsaKey("k1");

    static {
        try {
            authority = JwksServer.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        authority.publish(key);
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void authorityProperties(DynamicPropertyRegistry registry) {
        registry.add("torii.private-token.jwks-uri", () -> authority.jwksUri().toString());
        registry.add("torii.private-token.issuer", authority::issuer);
        registry.add("torii.private-token.audiences", () -> TestTokens.AUDIENCE);
    }

    @AfterAll
    static void stopAuthority() {
        authority.close();
    }

    @Test
    void admitsAUserWithScopeAuthorities() throws Exception {
        HttpResponse<String> response = whoAmI(TestTokens.sign(key, TestTokens.userClaims(authority.issuer()).build()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("user-42 [SCOPE_offers.read, SCOPE_offers.write]");
    }

    @Test
    void admitsAServiceAccountWithRoleAuthorities() throws Exception {
        HttpResponse<String> response = whoAmI(TestTokens.sign(key,
                TestTokens.serviceAccountClaims(authority.issuer()).build()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .isEqualTo("batch@project.iam.gserviceaccount.com [ROLE_offers-admin, ROLE_offers-reader]");
    }

    @Test
    void refusesARequestWithoutAToken() throws Exception {
        assertThat(whoAmI(null).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesAnExpiredTokenAndSaysWhy() throws Exception {
        String expired = TestTokens.sign(key, TestTokens.userClaims(authority.issuer())
                .expirationTime(new Date(System.currentTimeMillis() - 600_000)).build());

        HttpResponse<String> response = whoAmI(expired);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(challenge -> assertThat(challenge)
                .contains("invalid_token").contains("token expired at").doesNotContain(expired));
    }

    @Test
    void refusesATokenForAnotherService() throws Exception {
        String otherAudience = TestTokens.sign(key, TestTokens.userClaims(authority.issuer())
                .audience("examples.other.v1.Other").build());

        assertThat(whoAmI(otherAudience).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesATokenSignedByAnotherKey() throws Exception {
        RSAKey stranger = new RSAKey.Builder(TestTokens.rsaKey("k1")).build();

        assertThat(whoAmI(TestTokens.sign(stranger, TestTokens.userClaims(authority.issuer()).build())).statusCode())
                .isEqualTo(401);
    }

    private HttpResponse<String> whoAmI(String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/whoami"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A backend whose only configuration is the properties above. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Backend {

        @Bean
        RouterFunction<ServerResponse> whoAmI() {
            return RouterFunctions.route().GET("/whoami", request -> ReactiveSecurityContextHolder.getContext()
                    .map(security -> security.getAuthentication().getName() + " " + security.getAuthentication()
                            .getAuthorities().stream()
                            .map(GrantedAuthority::getAuthority)
                            .filter(a -> a.startsWith("SCOPE_") || a.startsWith("ROLE_"))
                            .sorted()
                            .toList())
                    .flatMap(body -> ServerResponse.ok().bodyValue(body)))
                    .build();
        }
    }
}
