package dev.torii.authority.verify;

import static dev.torii.authority.verify.Outcomes.failureOf;
import static dev.torii.authority.verify.Outcomes.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.MutableClock;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.reactive.function.client.WebClient;

/** Runs the introspection verifier against a fake identity provider served over real HTTP. */
class IntrospectionVerifierIT {

    private static final String CLIENT_ID = "torii-authority";
    private static final String CLIENT_SECRET = "s3cr:et/+";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    // Characters form encoding must protect, so a token that arrives intact proves the encoding.
    private static final String TOKEN = "ya29.a0+Af/Hx=&token=evil";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private ExecutorService executor;
    private FakeEndpoint idp;
    private IntrospectionVerifier verifier;

    @BeforeEach
    void start() {
        executor = Executors.newFixedThreadPool(4);
        idp = FakeEndpoint.start();
        verifier = verifierFor(idp.uri("/oauth2/introspect"), "sub");
    }

    @AfterEach
    void stop() {
        idp.close();
        executor.shutdownNow();
    }

    private IntrospectionVerifier verifierFor(URI endpoint, String userIdClaim) {
        return new IntrospectionVerifier(new IntrospectionSettings(Optional.of(endpoint), Optional.of(CLIENT_ID),
                Optional.of(CLIENT_SECRET), TIMEOUT, userIdClaim), clock, executor, WebClient.builder());
    }

    private long inTenMinutes() {
        return clock.instant().plusSeconds(600).getEpochSecond();
    }

    private static Map<String, String> form(String body) {
        return Arrays.stream(body.split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                        pair -> URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    }

    @Test
    void turnsAnActiveTokenIntoAUserWithScopesAndExpiry() {
        idp.serve(Reply.json("{\"active\":true,\"sub\":\"user-42\",\"scope\":\"offers.read  offers.write\",\"exp\":"
                + inTenMinutes() + "}"));

        VerifiedSubject subject = valueOf(verifier.verify(TOKEN));

        assertThat(subject.type()).isEqualTo(SubjectType.USER);
        assertThat(subject.id()).isEqualTo("user-42");
        assertThat(subject.scopes()).containsExactly("offers.read", "offers.write");
        assertThat(subject.roles()).isEmpty();
        assertThat(subject.expiresAt()).contains(Instant.ofEpochSecond(inTenMinutes()));
    }

    @Test
    void postsTheTokenFormEncodedWithBasicClientCredentials() {
        idp.serve(Reply.json("{\"active\":true,\"sub\":\"user-42\"}"));

        valueOf(verifier.verify(TOKEN));

        FakeEndpoint.Request request = idp.lastRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/oauth2/introspect");
        assertThat(request.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(form(request.body())).containsExactlyInAnyOrderEntriesOf(
                Map.of("token", TOKEN, "token_type_hint", "access_token"));
        String basic = new String(Base64.getDecoder().decode(request.header("Authorization").substring("Basic ".length())),
                StandardCharsets.UTF_8);
        // RFC 6749 section 2.3.1: id and secret are form-encoded before they are joined.
        assertThat(basic).isEqualTo("torii-authority:s3cr%3Aet%2F%2B");
    }

    @Test
    void readsTheUserIdFromTheConfiguredMember() {
        verifier = verifierFor(idp.uri("/oauth2/introspect"), "username");
        idp.serve(Reply.json("{\"active\":true,\"sub\":\"opaque-sub\",\"username\":\"alice\"}"));

        VerifiedSubject subject = valueOf(verifier.verify(TOKEN));

        assertThat(subject.id()).isEqualTo("alice");
        assertThat(subject.scopes()).isEmpty();
        assertThat(subject.expiresAt()).isEmpty();
    }

    static Stream<Arguments> rejectingAnswers() {
        return Stream.of(
                Arguments.of("inactive", "{\"active\":false}"),
                Arguments.of("inactive, with stale details", "{\"active\":false,\"sub\":\"user-42\",\"exp\":1}"),
                Arguments.of("active but expired a second ago", "{\"active\":true,\"sub\":\"user-42\",\"exp\":1772359199}"),
                Arguments.of("active but expiring right now", "{\"active\":true,\"sub\":\"user-42\",\"exp\":1772359200}"),
                Arguments.of("active without a user id", "{\"active\":true,\"client_id\":\"batch\"}"),
                Arguments.of("active with a blank user id", "{\"active\":true,\"sub\":\"  \"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectingAnswers")
    void rejectsWhatTheIdentityProviderSaysIsNotAValidUserToken(String description, String answer) {
        idp.serve(Reply.json(answer));

        Throwable failure = failureOf(verifier.verify(TOKEN));

        assertThat(failure).isInstanceOf(CredentialRejectedException.class).hasMessageNotContaining(TOKEN);
    }

    static Stream<Arguments> unavailableAnswers() {
        return Stream.of(
                Arguments.of("500", Reply.status(500, "{\"error\":\"server_error\"}")),
                Arguments.of("502", Reply.status(502, "<html>Bad Gateway</html>")),
                Arguments.of("503", Reply.status(503, "")),
                Arguments.of("429", Reply.status(429, "{\"error\":\"slow_down\"}")),
                Arguments.of("400, our request was wrong", Reply.status(400, "{\"error\":\"invalid_request\"}")),
                Arguments.of("404, wrong endpoint", Reply.status(404, "")),
                Arguments.of("302, never followed", Reply.status(302, "").withHeader("Location", "http://127.0.0.1:9/steal")),
                Arguments.of("200 with HTML", Reply.json("<html>login</html>")),
                Arguments.of("200 with a JSON array", Reply.json("[{\"active\":true}]")),
                Arguments.of("200 with an empty JSON array", Reply.json("[]")),
                Arguments.of("200 with JSON null", Reply.json("null")),
                Arguments.of("200 without active", Reply.json("{\"sub\":\"user-42\"}")),
                Arguments.of("200 with active as a string", Reply.json("{\"active\":\"true\",\"sub\":\"user-42\"}")),
                Arguments.of("200 with scope as a number", Reply.json("{\"active\":true,\"sub\":\"u\",\"scope\":7}")),
                Arguments.of("200 with exp as a string", Reply.json("{\"active\":true,\"sub\":\"u\",\"exp\":\"soon\"}")),
                Arguments.of("200 with a huge body", Reply.json("{\"active\":true,\"sub\":\"u\",\"pad\":\""
                        + "x".repeat(IntrospectionVerifier.MAX_RESPONSE_BYTES) + "\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unavailableAnswers")
    void reportsUnavailableWhenTheAnswerSaysNothingAboutTheToken(String description, Reply reply) {
        idp.serve(reply);

        Throwable failure = failureOf(verifier.verify(TOKEN));

        assertThat(failure).isInstanceOf(VerifierUnavailableException.class)
                .hasMessageContaining("introspection endpoint " + idp.uri("/oauth2/introspect"))
                .hasMessageNotContaining(TOKEN);
    }

    static Stream<Arguments> refusedClientCredentials() {
        return Stream.of(
                Arguments.of(Reply.status(401, "{\"error\":\"invalid_client\"}")),
                Arguments.of(Reply.status(403, "")),
                Arguments.of(Reply.status(400, "{\"error\":\"invalid_client\"}")));
    }

    @ParameterizedTest
    @MethodSource("refusedClientCredentials")
    void saysSoWhenTheIdentityProviderRefusesTheAuthoritysOwnCredentials(Reply reply) {
        idp.serve(reply);

        Throwable failure = failureOf(verifier.verify(TOKEN));

        assertThat(failure).isInstanceOf(VerifierUnavailableException.class)
                .hasMessageContaining("refused the Authority's client credentials (HTTP " + reply.status());
    }

    @Test
    void reportsUnavailableWhenTheIdentityProviderIsDown() {
        URI endpoint = idp.uri("/oauth2/introspect");
        idp.close();

        Throwable failure = failureOf(verifierFor(endpoint, "sub").verify(TOKEN));

        assertThat(failure).isInstanceOf(VerifierUnavailableException.class).hasMessageContaining("cannot connect");
    }

    @Test
    void reportsUnavailableWhenTheIdentityProviderIsSlowWithoutBlockingTheCaller() {
        idp.serve(Reply.json("{\"active\":true,\"sub\":\"user-42\"}").delayedBy(Duration.ofSeconds(8)));

        long start = System.nanoTime();
        CompletableFuture<VerifiedSubject> outcome = verifier.verify(TOKEN);
        Duration callTook = Duration.ofNanos(System.nanoTime() - start);
        Throwable failure = failureOf(outcome);
        Duration outcomeTook = Duration.ofNanos(System.nanoTime() - start);

        assertThat(callTook).isLessThan(TIMEOUT);
        assertThat(failure).isInstanceOf(VerifierUnavailableException.class).hasMessageContaining("no answer in time");
        assertThat(outcomeTook).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(Duration.ofSeconds(6));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16 * 1024 + 1})
    void refusesAnImpossibleCredentialWithoutAskingTheIdentityProvider(int length) {
        idp.serve(Reply.json("{\"active\":true,\"sub\":\"user-42\"}"));
        String credential = length == 1 ? "white space" : "a".repeat(length);

        assertThat(failureOf(verifier.verify(credential))).isInstanceOf(CredentialRejectedException.class);
        assertThat(idp.requestCount()).isZero();
    }

    @Test
    void asksAboutACredentialOfExactlyTheSizeLimit() {
        idp.serve(Reply.json("{\"active\":true,\"sub\":\"user-42\"}"));

        assertThat(valueOf(verifier.verify("a".repeat(16 * 1024))).id()).isEqualTo("user-42");
        assertThat(idp.requestCount()).isOne();
    }
}
