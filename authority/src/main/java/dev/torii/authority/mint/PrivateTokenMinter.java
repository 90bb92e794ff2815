package dev.torii.authority.mint;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.torii.authority.verify.SubjectType;
import dev.torii.authority.verify.VerifiedSubject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Signs private tokens: short-lived JWTs for exactly one audience, carrying the verified
 * subject. The claim set is the contract documented in {@code torii/authority/v1/authority.proto}.
 */
public final class PrivateTokenMinter {

    /** The claim naming the principal type: {@code user} or {@code service_account}. */
    public static final String PRINCIPAL_TYPE_CLAIM = "principal_type";
    /** The claim with a user's scopes, space-separated. */
    public static final String SCOPE_CLAIM = "scope";
    /** The claim with a service account's roles, an array. */
    public static final String ROLES_CLAIM = "roles";

    private record Signer(String keyId, JWSAlgorithm algorithm, JWSSigner signer) {}

    private final KeyRing keys;
    private final String issuer;
    private final Duration lifetime;
    private final Clock clock;
    private volatile Signer signer;

    /**
     * Creates a minter.
     *
     * @param keys the key ring whose signing key signs
     * @param issuer the {@code iss} of every token
     * @param lifetime the longest a token lives
     * @param clock the time source
     */
    public PrivateTokenMinter(KeyRing keys, String issuer, Duration lifetime, Clock clock) {
        this.keys = keys;
        this.issuer = issuer;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /**
     * Mints a private token for {@code subject} and {@code audience}. It expires after the
     * configured lifetime, or when the subject's credential does if that is sooner.
     *
     * @param subject the verified subject
     * @param audience the one backend service the token is for
     * @return the signed token
     */
    public MintedToken mint(VerifiedSubject subject, String audience) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(lifetime);
        if (subject.expiresAt().isPresent() && subject.expiresAt().get().isBefore(expiresAt)) {
            expiresAt = subject.expiresAt().get();
        }
        String tokenId = UUID.randomUUID().toString();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject.id())
                .audience(audience)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .jwtID(tokenId)
                .claim(PRINCIPAL_TYPE_CLAIM, subject.type() == SubjectType.USER ? "user" : "service_account");
        if (subject.type() == SubjectType.USER) {
            if (!subject.scopes().isEmpty()) {
                claims.claim(SCOPE_CLAIM, String.join(" ", subject.scopes()));
            }
        } else {
            claims.claim(ROLES_CLAIM, subject.roles());
        }
        Signer current = currentSigner();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(current.algorithm)
                .keyID(current.keyId).type(JOSEObjectType.JWT).build(), claims.build());
        try {
            jwt.sign(current.signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with key " + current.keyId + " failed: " + e.getMessage(), e);
        }
        return new MintedToken(jwt.serialize(), tokenId, current.keyId, expiresAt);
    }

    /**
     * Returns the key id new tokens are signed with.
     *
     * @return the signing key's id
     */
    public String signingKeyId() {
        return keys.signingKey().getKeyID();
    }

    // Building a signer parses the private key; do it once per key, not once per token.
    private Signer currentSigner() {
        JWK key = keys.signingKey();
        Signer current = signer;
        if (current != null && current.keyId.equals(key.getKeyID())) {
            return current;
        }
        try {
            current = key instanceof ECKey ec
                    ? new Signer(key.getKeyID(), JWSAlgorithm.ES256, new ECDSASigner(ec))
                    : new Signer(key.getKeyID(), JWSAlgorithm.RS256, new RSASSASigner((RSAKey) key));
        } catch (JOSEException e) {
            throw new IllegalStateException("key " + key.getKeyID() + " cannot sign: " + e.getMessage(), e);
        }
        signer = current;
        return current;
    }
}
