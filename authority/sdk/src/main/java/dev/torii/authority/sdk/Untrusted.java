package dev.torii.authority.sdk;

/**
 * Renders values read from an unverified token for error messages. Those messages end up in logs
 * and in response headers, so an attacker-chosen {@code kid} or {@code iss} must not be able to
 * inject line breaks or quotes, or inflate the message.
 */
final class Untrusted {

    /** Longest rendering of one value; longer values are cut and marked with "...". */
    static final int MAX_LENGTH = 64;

    private Untrusted() {
    }

    /**
     * Quotes {@code value}, replacing everything but printable ASCII (and the quote and backslash
     * themselves) with {@code ?}, and truncating it to {@link #MAX_LENGTH} characters.
     *
     * @param value a value from a token, may be null
     * @return the quoted value, or the bare word {@code null} when there is no value
     */
    static String quote(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value.toString();
        int length = Math.min(text.length(), MAX_LENGTH);
        StringBuilder out = new StringBuilder(length + 5).append('"');
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
        }
        if (text.length() > MAX_LENGTH) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
