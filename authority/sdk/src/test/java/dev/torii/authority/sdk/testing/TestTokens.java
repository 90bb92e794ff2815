package dev.torii.authority.sdk.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.factories.DefaultJWSSignerFactory;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Mints tokens the way the Authority does (and the ways an attacker might), with keys generated
 * for the test run: none are committed.
 */
public final class TestTokens {

    /** The audience of the example offer service. */
    public static final String AUDIENCE = "examples.offer.v1.OfferService";

    private TestTokens() {
    }

    /**
     * Generates a 2048-bit RSA signing key.
     *
     * @param kid the key id
     * @return a key pair with {@code kid}, use "sig" and alg RS256
     */
    public static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Generates a P-256 EC signing key.
     *
     * @param kid the key id
     * @return a key pair with {@code kid}, use "sig" and alg ES256
     */
    public static ECKey ecKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Returns the claims of a user's private token for {@link #AUDIENCE}, valid for five minutes.
     *
     * @param issuer the Authority's issuer URL
     * @return claims a test may change before signing
     */
    public static JWTClaimsSet.Builder userClaims(String issuer) {
        // JWT times are whole seconds; keeping them so lets tests compare them with what was verified.
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject("user-42")
                .audience(AUDIENCE)
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .jwtID(UUID.randomUUID().toString())
                .claim("principal_type", "user")
                .claim("scope", "offers.read offers.write");
    }

    /**
     * Returns the claims of a service account's private token for {@link #AUDIENCE}.
     *
     * @param issuer the Authority's issuer URL
     * @return claims a test may change before signing
     */
    public static JWTClaimsSet.Builder serviceAccountClaims(String issuer) {
        return userClaims(issuer)
                .subject("batch@project.iam.gserviceaccount.com")
                .claim("principal_type", "service_account")
                .claim("scope", null)
                .claim("roles", List.of("offers-admin", "offers-reader"));
    }

    /**
     * Returns the header the Authority would use with {@code key}: its algorithm and kid.
     *
     * @param key the signing key
     * @return a header builder a test may change
     */
    public static JWSHeader.Builder header(JWK key) {
        JWSAlgorithm alg = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
        return new JWSHeader.Builder(alg).keyID(key.getKeyID());
    }

    /**
     * Signs {@code claims} with {@code key} under the Authority's usual header.
     *
     * @param key the signing key
     * @param claims the claims
     * @return the compact token
     */
    public static String sign(JWK key, JWTClaimsSet claims) {
        return sign(header(key).build(), key, claims);
    }

    /**
     * Signs {@code claims} with {@code key} under {@code header}.
     *
     * @param header the JWS header, whose algorithm must suit the key
     * @param key the signing key
     * @param claims the claims
     * @return the compact token
     */
    public static String sign(JWSHeader header, JWK key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new DefaultJWSSignerFactory().createJWSSigner(key, header.getAlgorithm()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
