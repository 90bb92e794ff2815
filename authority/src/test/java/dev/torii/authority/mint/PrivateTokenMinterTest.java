package dev.torii.authority.mint;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.torii.authority.testing.MutableClock;
import dev.torii.authority.verify.VerifiedSubject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrivateTokenMinterTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final KeyRing ring = new KeyRing(SigningKeys.generate("RS256"), Duration.ofMinutes(15), clock);
    private final PrivateTokenMinter minter =
            new PrivateTokenMinter(ring, "https://authority.example", Duration.ofMinutes(5), clock);

    @Test
    void mintsTheDocumentedClaimsForAUser() throws Exception {
        MintedToken token = minter.mint(VerifiedSubject.user("alice", List.of("offers.read", "offers.write"),
                Optional.empty()), "examples.offer.v1.OfferService");

        SignedJWT jwt = SignedJWT.parse(token.token());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(ring.signingKey().getKeyID()).isEqualTo(token.keyId());
        assertThat(jwt.verify(new RSASSAVerifier((RSAKey) ring.signingKey().toPublicJWK()))).isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("https://authority.example");
        assertThat(claims.getSubject()).isEqualTo("alice");
        assertThat(claims.getAudience()).containsExactly("examples.offer.v1.OfferService");
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(clock.instant());
        assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(clock.instant());
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(claims.getJWTID()).isEqualTo(token.tokenId());
        assertThat(claims.getStringClaim("principal_type")).isEqualTo("user");
        assertThat(claims.getStringClaim("scope")).isEqualTo("offers.read offers.write");
        assertThat(claims.getClaim("roles")).isNull();
        assertThat(token.toString()).doesNotContain(token.token());
    }

    @Test
    void mintsRolesForAServiceAccountAndNeverOutlivesTheCredential() throws Exception {
        Instant credentialExpiry = clock.instant().plus(Duration.ofMinutes(2));
        MintedToken token = minter.mint(VerifiedSubject.serviceAccount("batch@p.iam.gserviceaccount.com",
                List.of("support.reader"), Optional.of(credentialExpiry)), "svc");

        JWTClaimsSet claims = SignedJWT.parse(token.token()).getJWTClaimsSet();
        assertThat(claims.getStringClaim("principal_type")).isEqualTo("service_account");
        assertThat(claims.getStringListClaim("roles")).containsExactly("support.reader");
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(credentialExpiry);
        assertThat(token.expiresAt()).isEqualTo(credentialExpiry);
    }

    @Test
    void signsWithTheNewKeyAfterARotationAndUniqueIds() throws Exception {
        MintedToken before = minter.mint(VerifiedSubject.user("a", List.of(), Optional.empty()), "svc");
        ring.rotate(SigningKeys.generate("RS256"));
        MintedToken after = minter.mint(VerifiedSubject.user("a", List.of(), Optional.empty()), "svc");

        assertThat(after.keyId()).isNotEqualTo(before.keyId()).isEqualTo(ring.signingKey().getKeyID());
        assertThat(after.tokenId()).isNotEqualTo(before.tokenId());
    }

    @Test
    void signsEs256WhenTheKeyIsEc() throws Exception {
        KeyRing ecRing = new KeyRing(SigningKeys.generate("ES256"), Duration.ofMinutes(15), clock);
        MintedToken token = new PrivateTokenMinter(ecRing, "iss", Duration.ofMinutes(5), clock)
                .mint(VerifiedSubject.user("a", List.of(), Optional.empty()), "svc");

        SignedJWT jwt = SignedJWT.parse(token.token());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.verify(new ECDSAVerifier((ECKey) ecRing.signingKey().toPublicJWK()))).isTrue();
    }
}
