package dev.torii.authority.verify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Applies the checks every verifier makes before it parses a credential or sends it anywhere, and
 * renders credentials and untrusted values safely for logs and error messages.
 */
final class CredentialChecks {

    /** The longest credential any verifier looks at; real tokens are a few kilobytes at most. */
    static final int MAX_CREDENTIAL_CHARS = 16 * 1024;

    /** How much of an untrusted value (an unverified claim, an IdP error code) messages repeat. */
    private static final int MAX_QUOTED_CHARS = 80;

    private CredentialChecks() {}

    /**
     * Refuses a credential that cannot be a token, before any parser or identity provider sees
     * it, so oversize or binary input costs neither memory nor a network call.
     *
     * @param credential the raw credential
     * @throws CredentialRejectedException when it is empty, over {@link #MAX_CREDENTIAL_CHARS}
     *     characters, or contains anything but printable ASCII
     */
    static void requireWellFormed(String credential) {
        if (credential == null || credential.isEmpty()) {
            throw new CredentialRejectedException("credential: empty (expected: a token)");
        }
        if (credential.length() > MAX_CREDENTIAL_CHARS) {
            throw new CredentialRejectedException("credential: " + credential.length()
                    + " characters (expected: at most " + MAX_CREDENTIAL_CHARS + ")");
        }
        for (int i = 0; i < credential.length(); i++) {
            char c = credential.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new CredentialRejectedException("credential: character " + (int) c + " at index " + i
                        + " (expected: printable ASCII only, as in JWTs and opaque access tokens)");
            }
        }
    }

    /**
     * Names a credential in logs without revealing it: a prefix of its SHA-256 digest, enough to
     * correlate log lines, too short to be of use to anyone holding the logs.
     *
     * @param credential the raw credential, possibly null
     * @return such as {@code sha256:4f2a9c01d3b7e655}
     */
    static String fingerprint(String credential) {
        if (credential == null) {
            return "sha256:none";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (java.security.MessageDigest Javadoc).
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /**
     * Quotes an untrusted value for an error message: truncated and stripped of control
     * characters, so an attacker-chosen claim cannot forge log lines or flood them.
     *
     * @param untrusted the value, possibly null
     * @return the value in single quotes, or {@code absent}
     */
    static String quote(Object untrusted) {
        if (untrusted == null) {
            return "absent";
        }
        String text = untrusted.toString();
        boolean truncated = text.length() > MAX_QUOTED_CHARS;
        StringBuilder quoted = new StringBuilder("'");
        for (int i = 0; i < Math.min(text.length(), MAX_QUOTED_CHARS); i++) {
            char c = text.charAt(i);
            quoted.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        return quoted.append(truncated ? "...'" : "'").toString();
    }
}
