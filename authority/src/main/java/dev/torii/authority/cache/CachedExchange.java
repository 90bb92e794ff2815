package dev.torii.authority.cache;

import dev.torii.authority.v1.ExchangeTokenResponse;
import java.time.Instant;

/**
 * Holds one exchange's answer in the cache, with the key id that signed its private token (so
 * answers signed by a retired key are never handed out).
 *
 * @param response the answer to repeat
 * @param keyId the {@code kid} of the private token
 * @param expiresAt when the private token expires
 */
public record CachedExchange(ExchangeTokenResponse response, String keyId, Instant expiresAt) {

    @Override
    public String toString() {
        return "CachedExchange[kid=" + keyId + ", exp=" + expiresAt + "]";
    }
}
