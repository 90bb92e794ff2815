package dev.torii.gateway.httprule;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The percent-encoding rules of {@code google/api/http.proto} for path segments: literals compare
 * in their decoded-unreserved form, single-segment variables decode every escape, multi-segment
 * variables keep RFC 6570 reserved characters encoded.
 */
final class PercentEncoding {

    // RFC 3986 section 2.2: gen-delims and sub-delims, the characters RFC 6570 reserved expansion
    // leaves alone.
    private static final String RESERVED = ":/?#[]@!$&'()*+,;=";

    private PercentEncoding() {}

    /** Tells whether {@code c} is an RFC 3986 unreserved character. */
    static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** Returns the index of the first malformed escape ({@code %} not followed by two hex digits), or -1. */
    static int firstMalformedEscape(CharSequence text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '%') {
                if (i + 2 >= to || hex(text.charAt(i + 1)) < 0 || hex(text.charAt(i + 2)) < 0) {
                    return i;
                }
                i += 2;
            }
        }
        return -1;
    }

    /**
     * Returns a segment with its escapes of unreserved characters decoded and every other escape
     * in upper-case hex, the form literals compare in ({@code %7e} and {@code ~} are the same
     * segment, RFC 3986 section 6.2.2). The escapes must be well formed.
     */
    static String normalize(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        StringBuilder out = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            char decoded = (char) (hex(segment.charAt(i + 1)) << 4 | hex(segment.charAt(i + 2)));
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%').append(Character.toUpperCase(segment.charAt(i + 1)))
                        .append(Character.toUpperCase(segment.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    /**
     * Decodes every escape of {@code text[from, to)}, {@code %2F} included, as UTF-8.
     *
     * @throws MalformedPathException when the decoded bytes are not UTF-8
     */
    static String decodeAll(String text, int from, int to) {
        return decode(text, from, to, false);
    }

    /**
     * Decodes the escapes of {@code text[from, to)} except those of reserved characters, which stay
     * as written ({@code %2F} stays {@code %2F}), as UTF-8.
     *
     * @throws MalformedPathException when the decoded bytes are not UTF-8
     */
    static String decodeExceptReserved(String text, int from, int to) {
        return decode(text, from, to, true);
    }

    private static String decode(String text, int from, int to, boolean keepReserved) {
        if (text.indexOf('%', from) < 0 || text.indexOf('%', from) >= to) {
            return text.substring(from, to);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int b = hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2));
                if (keepReserved && RESERVED.indexOf(b) >= 0) {
                    bytes.write(c);
                    bytes.write(text.charAt(i + 1));
                    bytes.write(text.charAt(i + 2));
                } else {
                    bytes.write(b);
                }
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                int codePoint = text.codePointAt(i);
                byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
                i += Character.charCount(codePoint) - 1;
            }
        }
        return Utf8Text.decode(bytes.toByteArray()).orElseThrow(() -> {
            String value = to - from > 64 ? text.substring(from, from + 64) + "..." : text.substring(from, to);
            return new MalformedPathException("path value '" + value + "' does not decode as UTF-8");
        });
    }

    // ASCII hex digits only: Character.digit would also accept other scripts' digits.
    private static int hex(char c) {
        return HexFormat.isHexDigit(c) ? HexFormat.fromHexDigit(c) : -1;
    }
}
