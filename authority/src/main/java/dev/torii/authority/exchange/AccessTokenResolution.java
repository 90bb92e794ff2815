package dev.torii.authority.exchange;

import com.google.protobuf.Timestamp;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.torii.authority.cache.AccessTokenStore;
import dev.torii.authority.mint.KeyRing;
import dev.torii.authority.mint.PrivateTokenMinter;
import dev.torii.authority.v1.ResolveAccessTokenResponse;
import dev.torii.authority.verify.CredentialNotAllowedException;
import dev.torii.authority.verify.CredentialRejectedException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Turns a private token back into the user's access token, for the backends on the allow-list:
 * the token must be one this Authority signed, unexpired, for an allowed audience, and a user's.
 */
public final class AccessTokenResolution {

    /** Reports a private token with no access token behind it (a service account's). */
    public static final class NoAccessTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoAccessTokenException(String reason) {
            super(reason, null, false, false);
        }
    }

    private final KeyRing keys;
    private final String issuer;
    private final Set<String> allowedAudiences;
    private final AccessTokenStore store;
    private final Clock clock;

    /**
     * Creates the resolution.
     *
     * @param keys the keys private tokens are signed with
     * @param issuer the Authority's issuer
     * @param allowedAudiences audiences that may resolve
     * @param store the access tokens behind private tokens
     * @param clock the time source
     */
    public AccessTokenResolution(KeyRing keys, String issuer, Set<String> allowedAudiences, AccessTokenStore store,
            Clock clock) {
        this.keys = keys;
        this.issuer = issuer;
        this.allowedAudiences = Set.copyOf(allowedAudiences);
        this.store = store;
        this.clock = clock;
    }

    /**
     * Resolves a private token.
     *
     * @param privateToken a private token the calling backend received
     * @return the access token, or a failure: {@link CredentialRejectedException} (bad or
     *     expired token), {@link CredentialNotAllowedException} (audience not allowed), {@link
     *     NoAccessTokenException} (a service account's token)
     */
    public CompletableFuture<ResolveAccessTokenResponse> resolve(String privateToken) {
        JWTClaimsSet claims;
        try {
            claims = verify(privateToken);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Instant expiresAt = claims.getExpirationTime().toInstant();
        return store.get(claims.getJWTID()).thenApply(accessToken -> ResolveAccessTokenResponse.newBuilder()
                .setAccessToken(accessToken.orElseThrow(() -> new CredentialRejectedException(
                        "private token is no longer known to the Authority (expected: a token minted in the last"
                                + " few minutes by this Authority or one sharing its Redis)")))
                .setExpireTime(Timestamp.newBuilder().setSeconds(expiresAt.getEpochSecond()))
                .build());
    }

    private JWTClaimsSet verify(String token) {
        if (token == null || token.isBlank() || token.length() > TokenExchanger.MAX_CREDENTIAL_LENGTH) {
            throw new CredentialRejectedException("private_token is empty or too long");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new CredentialRejectedException("private_token is not a JWT");
        }
        JWK key = keys.verificationKey(jwt.getHeader().getKeyID())
                .orElseThrow(() -> new CredentialRejectedException("private_token was not signed by a key of this Authority"));
        if (!signatureValid(jwt, key)) {
            throw new CredentialRejectedException("private_token signature does not verify");
        }
        Instant now = clock.instant();
        if (!issuer.equals(claims.getIssuer())) {
            throw new CredentialRejectedException("private_token was issued by someone else");
        }
        if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(now)) {
            throw new CredentialRejectedException("private_token has expired");
        }
        List<String> audience = claims.getAudience();
        if (audience.size() != 1 || !allowedAudiences.contains(audience.get(0))) {
            throw new CredentialNotAllowedException("audience " + audience
                    + " may not resolve access tokens (expected: one of the Authority's resolve.allowed-audiences)");
        }
        if (!"user".equals(claims.getClaim(PrivateTokenMinter.PRINCIPAL_TYPE_CLAIM))) {
            throw new NoAccessTokenException("private_token belongs to a service account; there is no user access token"
                    + " behind it");
        }
        if (claims.getJWTID() == null) {
            throw new CredentialRejectedException("private_token has no jti");
        }
        return claims;
    }

    private static boolean signatureValid(SignedJWT jwt, JWK key) {
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        try {
            JWSVerifier verifier;
            if (key instanceof RSAKey rsa && JWSAlgorithm.RS256.equals(algorithm)) {
                verifier = new RSASSAVerifier(rsa);
            } else if (key instanceof ECKey ec && JWSAlgorithm.ES256.equals(algorithm)) {
                verifier = new ECDSAVerifier(ec);
            } else {
                return false;
            }
            return jwt.verify(verifier);
        } catch (JOSEException e) {
            return false;
        }
    }
}
