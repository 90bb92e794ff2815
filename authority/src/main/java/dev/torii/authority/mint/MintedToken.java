package dev.torii.authority.mint;

import java.time.Instant;

/**
 * Carries one freshly signed private token and the facts callers need without parsing it.
 *
 * @param token the compact JWT
 * @param tokenId its {@code jti}
 * @param keyId the {@code kid} of the key that signed it
 * @param expiresAt its {@code exp}
 */
public record MintedToken(String token, String tokenId, String keyId, Instant expiresAt) {

    @Override
    public String toString() {
        // Never print the token itself.
        return "MintedToken[jti=" + tokenId + ", kid=" + keyId + ", exp=" + expiresAt + "]";
    }
}
