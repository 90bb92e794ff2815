package dev.torii.authority.sdk;

import static dev.torii.authority.sdk.testing.TestTokens.AUDIENCE;
import static dev.torii.authority.sdk.testing.TestTokens.header;
import static dev.torii.authority.sdk.testing.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.torii.authority.sdk.testing.JwksServer;
import dev.torii.authority.sdk.testing.TestTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verifies tokens against a JWKS served over real HTTP: what the Authority mints is accepted and
 * every forgery, mistake and replay in the table is refused with a reason.
 */
class PrivateTokenVerifierIT {

    private static JwksServer server;
    private static RSAKey rsa;
    private static ECKey ec;
    private static RSAKey attacker;
    private static PrivateTokenVerifier verifier;

    @BeforeAll
    static void startAuthority() throws Exception {
        server = JwksServer.start();
        rsa = TestTokens.rsaKey("k1");
        ec = TestTokens.ecKey("k2");
        attacker = TestTokens.rsaKey("attacker");
        server.publish(rsa, ec);
        server.publishAttackerKeys(attacker);
        verifier = verifierFor(server);
    }

    @AfterAll
    static void stopAuthority() {
        server.close();
    }

    static PrivateTokenVerifier verifierFor(JwksServer server) {
        return PrivateTokenVerifier.builder()
                .jwksUri(server.jwksUri())
                .issuer(server.issuer())
                .audience(AUDIENCE)
                .build();
    }

    @Test
    void acceptsAUserTokenAndDescribesTheCaller() {
        JWTClaimsSet claims = claims().build();
        String token = sign(rsa, claims);

        VerifiedPrincipal caller = verifier.verify(token);

        assertThat(caller.type()).isEqualTo(VerifiedPrincipal.Type.USER);
        assertThat(caller.id()).isEqualTo("user-42");
        assertThat(caller.scopes()).containsExactlyInAnyOrder("offers.read", "offers.write");
        assertThat(caller.roles()).isEmpty();
        assertThat(caller.tokenId()).isEqualTo(claims.getJWTID());
        assertThat(caller.expiresAt()).isEqualTo(claims.getExpirationTime().toInstant());
        assertThat(caller.token()).isEqualTo(token);
        assertThat(caller.toString()).doesNotContain(token);
    }

    @Test
    void acceptsAServiceAccountTokenSignedWithEs256() {
        String token = sign(ec, TestTokens.serviceAccountClaims(server.issuer()).build());

        VerifiedPrincipal caller = verifier.verify(token);

        assertThat(caller.type()).isEqualTo(VerifiedPrincipal.Type.SERVICE_ACCOUNT);
        assertThat(caller.id()).isEqualTo("batch@project.iam.gserviceaccount.com");
        assertThat(caller.roles()).containsExactlyInAnyOrder("offers-admin", "offers-reader");
        assertThat(caller.hasRole("offers-admin")).isTrue();
        assertThat(caller.scopes()).isEmpty();
    }

    @Test
    void toleratesClockSkewOnEitherSide() {
        String justExpired = sign(rsa, claims().expirationTime(secondsFromNow(-10)).build());
        String almostValid = sign(rsa, claims().notBeforeTime(secondsFromNow(10)).issueTime(secondsFromNow(10)).build());

        assertThat(verifier.verify(justExpired).id()).isEqualTo("user-42");
        assertThat(verifier.verify(almostValid).id()).isEqualTo("user-42");
    }

    @Test
    void acceptsTheJwtAndAccessTokenTypHeaders() {
        String jwt = sign(header(rsa).type(JOSEObjectType.JWT).build(), rsa, claims().build());
        String accessToken = sign(header(rsa).type(new JOSEObjectType("at+jwt")).build(), rsa, claims().build());

        assertThat(verifier.verify(jwt).id()).isEqualTo("user-42");
        assertThat(verifier.verify(accessToken).id()).isEqualTo("user-42");
    }

    @Test
    void acceptsEachConfiguredAudienceAndNoOther() {
        PrivateTokenVerifier twoServices = PrivateTokenVerifier.builder()
                .jwksUri(server.jwksUri())
                .issuer(server.issuer())
                .audiences(List.of(AUDIENCE, "examples.cart.v1.CartService"))
                .build();

        assertThat(twoServices.verify(sign(rsa, claims().audience("examples.cart.v1.CartService").build())).id())
                .isEqualTo("user-42");
        assertThat(twoServices.verify(sign(rsa, claims().build())).id()).isEqualTo("user-42");
        assertThat(catchThrowableOfType(PrivateTokenException.class,
                () -> twoServices.verify(sign(rsa, claims().audience("examples.other.v1.Other").build()))))
                .hasMessageContaining("aud is [\"examples.other.v1.Other\"]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void refuses(String name, Supplier<String> forge, String reason) {
        String token = forge.get();

        PrivateTokenException refusal = catchThrowableOfType(PrivateTokenException.class, () -> verifier.verify(token));

        assertThat(refusal).as(name).isNotNull();
        assertThat(refusal.getMessage()).contains(reason);
        String[] parts = token.split("\\.");
        if (parts.length == 3 && parts[2].length() > 8) {
            assertThat(refusal.getMessage()).doesNotContain(token).doesNotContain(parts[2]);
        }
        // jku and x5u must never be followed, whatever the token says.
        assertThat(server.attackerFetches()).isZero();
    }

    static Stream<Arguments> refusedTokens() {
        Stream<Arguments> table = Stream.of(
                refused("alg none", () -> new PlainJWT(claims().build()).serialize(), "unsigned, alg is none"),
                refused("alg none with the real kid", () -> encode("{\"alg\":\"none\",\"kid\":\"k1\"}")
                        + "." + encode(claims().build().toString()) + ".", "unsigned, alg is none"),
                refused("HS256 keyed with the RSA public key (DER)",
                        () -> hmacWith(publicKeyDer(rsa)), "alg is \"HS256\""),
                refused("HS256 keyed with the public JWK (JSON)",
                        () -> hmacWith(rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)),
                        "alg is \"HS256\""),
                refused("RS512, an algorithm the Authority does not use",
                        () -> sign(new JWSHeader.Builder(JWSAlgorithm.RS512).keyID("k1").build(), rsa, claims().build()),
                        "alg is \"RS512\""),
                refused("expired beyond the clock skew",
                        () -> sign(rsa, claims().expirationTime(secondsFromNow(-120)).build()), "token expired at"),
                refused("not yet valid beyond the clock skew",
                        () -> sign(rsa, claims().notBeforeTime(secondsFromNow(300)).build()), "token not valid before"),
                refused("issued in the future",
                        () -> sign(rsa, claims().issueTime(secondsFromNow(300)).build()), "token issued in the future"),
                refused("wrong issuer",
                        () -> sign(rsa, claims().issuer("https://evil.example").build()), "iss is \"https://evil.example\""),
                refused("wrong audience",
                        () -> sign(rsa, claims().audience("examples.other.v1.Other").build()),
                        "aud is [\"examples.other.v1.Other\"] (expected: exactly one of [" + AUDIENCE + "])"),
                refused("two audiences, one of them right",
                        () -> sign(rsa, claims().audience(List.of(AUDIENCE, "examples.other.v1.Other")).build()),
                        "(expected: exactly one of"),
                refused("unknown principal_type",
                        () -> sign(rsa, claims().claim("principal_type", "admin").build()), "principal_type is \"admin\""),
                refused("scope that is not a string",
                        () -> sign(rsa, claims().claim("scope", List.of("offers.read")).build()), "scope is not a string"),
                refused("roles that are not an array of strings",
                        () -> sign(rsa, claims().claim("roles", "offers-admin").build()),
                        "roles is not a JSON array of strings"),
                refused("unknown kid",
                        () -> sign(TestTokens.rsaKey("k-unknown"), claims().build()), "no key with kid=\"k-unknown\""),
                refused("no kid", () -> sign(new JWSHeader.Builder(JWSAlgorithm.RS256).build(), rsa, claims().build()),
                        "no kid header"),
                refused("attacker key embedded as jwk",
                        () -> sign(header(attacker).jwk(attacker.toPublicJWK()).build(), attacker, claims().build()),
                        "no key with kid=\"attacker\""),
                refused("attacker key embedded as jwk under the real kid",
                        () -> sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").jwk(attacker.toPublicJWK()).build(),
                                attacker, claims().build()),
                        "signature does not verify"),
                refused("attacker JWKS advertised in jku",
                        () -> sign(header(attacker).jwkURL(server.attackerUri("jwks.json")).build(), attacker,
                                claims().build()),
                        "no key with kid=\"attacker\""),
                refused("attacker certificate advertised in x5u",
                        () -> sign(header(attacker).x509CertURL(server.attackerUri("cert.pem")).build(), attacker,
                                claims().build()),
                        "no key with kid=\"attacker\""),
                refused("attacker signature under the real kid",
                        () -> sign(header(rsa).build(), attacker, claims().build()), "signature does not verify"),
                refused("claims swapped under a real signature", PrivateTokenVerifierIT::splicedToken,
                        "signature does not verify"),
                refused("typ of another kind of JWT",
                        () -> sign(header(rsa).type(new JOSEObjectType("dpop+jwt")).build(), rsa, claims().build()),
                        "dpop+jwt"),
                refused("encrypted instead of signed", PrivateTokenVerifierIT::encryptedToken, "private token is encrypted"),
                refused("empty", () -> "", "no private token"),
                refused("not a JWT", () -> "not-a-jwt", "private token is malformed"),
                refused("bad base64", () -> "!!!.@@@.###", "private token is malformed"),
                refused("header that is not JSON",
                        () -> encode("not json") + "." + encode("{}") + ".c2lnbmF0dXJl", "private token is malformed"),
                refused("claims that are not JSON, signed", () -> signedPayload("not json"),
                        "private token claims are malformed"),
                refused("exp that is not a number, signed",
                        () -> signedPayload("{\"iss\":\"x\",\"exp\":\"tomorrow\"}"), "private token claims are malformed"),
                refused("oversize, although validly signed",
                        () -> sign(rsa, claims().claim("padding", "x".repeat(PrivateTokenVerifier.MAX_TOKEN_LENGTH)).build()),
                        "(expected: at most 16384)"));
        Stream<Arguments> missing = PrivateTokenClaimsVerifier.REQUIRED_CLAIMS.stream()
                .map(claim -> refused("missing " + claim, () -> sign(rsa, withoutClaim(claim)),
                        "missing required claims [" + claim + "]"));
        return Stream.concat(table, missing);
    }

    @Test
    void acceptsATokenJustUnderTheSizeLimit() {
        JWTClaimsSet base = claims().claim("padding", "").build();
        int overhead = sign(rsa, base).length();
        // Base64url turns every 3 bytes of padding into 4 characters.
        int padding = (PrivateTokenVerifier.MAX_TOKEN_LENGTH - overhead) * 3 / 4 - 3;
        String underLimit = sign(rsa, claims().claim("padding", "x".repeat(padding)).build());

        assertThat(underLimit.length()).isBetween(PrivateTokenVerifier.MAX_TOKEN_LENGTH - 8,
                PrivateTokenVerifier.MAX_TOKEN_LENGTH);
        assertThat(verifier.verify(underLimit).id()).isEqualTo("user-42");
    }

    @Test
    void refusesTokensOfAKeyTheAuthorityRetired() throws Exception {
        try (JwksServer authority = JwksServer.start()) {
            RSAKey retiring = TestTokens.rsaKey("retiring");
            RSAKey next = TestTokens.rsaKey("next");
            authority.publish(retiring);
            PrivateTokenVerifier fresh = verifierFor(authority);
            String oldToken = sign(retiring, TestTokens.userClaims(authority.issuer()).build());
            assertThat(fresh.verify(oldToken).id()).isEqualTo("user-42");

            // The overlap window ends: only the new key is published.
            authority.publish(next);
            assertThat(fresh.verify(sign(next, TestTokens.userClaims(authority.issuer()).build())).id())
                    .isEqualTo("user-42");

            assertThat(catchThrowableOfType(PrivateTokenException.class, () -> fresh.verify(oldToken)))
                    .hasMessageContaining("no key with kid=\"retiring\"");
        }
    }

    private static Arguments refused(String name, Supplier<String> forge, String reason) {
        return Arguments.of(name, forge, reason);
    }

    private static JWTClaimsSet.Builder claims() {
        return TestTokens.userClaims(server.issuer());
    }

    private static Date secondsFromNow(long seconds) {
        return Date.from(Instant.now().plus(Duration.ofSeconds(seconds)));
    }

    private static JWTClaimsSet withoutClaim(String name) {
        return claims().claim(name, null).build();
    }

    private static String encode(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String hmacWith(byte[] secret) {
        try {
            JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
                    new Payload(claims().build().toJSONObject()));
            jws.sign(new MACSigner(secret));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] publicKeyDer(RSAKey key) {
        try {
            return key.toRSAPublicKey().getEncoded();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String signedPayload(String payload) {
        try {
            JWSObject jws = new JWSObject(header(rsa).build(), new Payload(payload));
            jws.sign(new RSASSASigner(rsa));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String splicedToken() {
        String[] genuine = sign(rsa, claims().build()).split("\\.");
        String[] forged = sign(attacker, claims().subject("admin").build()).split("\\.");
        return genuine[0] + "." + forged[1] + "." + genuine[2];
    }

    private static String encryptedToken() {
        try {
            EncryptedJWT jwt = new EncryptedJWT(
                    new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM).keyID("k1").build(),
                    claims().build());
            jwt.encrypt(new RSAEncrypter(rsa.toRSAPublicKey()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
