package dev.torii.authority.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derives cache keys from credentials without keeping the credentials: a SHA-256 over the
 * credential and the audience, so a cache dump (in process or in Redis) holds no usable secret.
 */
public final class CacheKeys {

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    private CacheKeys() {}

    /**
     * Returns the key of an exchange.
     *
     * @param credential the subject credential
     * @param audience the requested audience
     * @return 64 hex characters
     */
    public static String exchange(String credential, String audience) {
        MessageDigest digest = SHA_256.get();
        digest.reset();
        digest.update(credential.getBytes(StandardCharsets.UTF_8));
        // A separator that cannot occur in either part keeps ("ab", "c") and ("a", "bc") apart.
        digest.update((byte) 0);
        digest.update(audience.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }
}
