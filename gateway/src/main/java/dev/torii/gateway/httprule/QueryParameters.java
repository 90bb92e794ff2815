package dev.torii.gateway.httprule;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a raw URL query the way Go's {@code url.ParseQuery} does for grpc-gateway:
 * {@code application/x-www-form-urlencoded} rules ({@code +} is a space, {@code %XX} a byte), every
 * value of a repeated name kept in order, and a malformed escape or a {@code ;} refused rather than
 * guessed at. Names and values must be UTF-8 once decoded, as protobuf strings must.
 */
final class QueryParameters {

    /** The longest raw query read, in characters: 64 KiB, eight times what browsers send in a URL. */
    static final int MAX_QUERY_LENGTH = 64 * 1024;

    /** The most name=value pairs read; real queries have a dozen. */
    static final int MAX_PARAMETERS = 1_000;

    private QueryParameters() {}

    /**
     * Parses a raw (still encoded) query.
     *
     * @param raw the query without {@code ?}, possibly null
     * @return decoded names to their decoded values, in the order the names first appear
     * @throws BindingException when the query is beyond the limits or malformed
     */
    static Map<String, List<String>> parse(String raw) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        if (raw.length() > MAX_QUERY_LENGTH) {
            throw new BindingException("", "query of " + raw.length() + " characters is too long (expected: at most "
                    + MAX_QUERY_LENGTH + ")");
        }
        int pairs = 1;
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) == '&' && ++pairs > MAX_PARAMETERS) {
                throw new BindingException("", "query has more than " + MAX_PARAMETERS
                        + " parameters (expected: at most " + MAX_PARAMETERS + ")");
            }
        }
        int start = 0;
        while (start <= raw.length()) {
            int end = raw.indexOf('&', start);
            if (end < 0) {
                end = raw.length();
            }
            String pair = raw.substring(start, end);
            start = end + 1;
            if (pair.isEmpty()) {
                continue;
            }
            if (pair.indexOf(';') >= 0) {
                // Go 1.17 and later refuse ';' rather than read it as a separator, as older servers did.
                throw new BindingException("", "query parameter " + FieldText.quoted(pair)
                        + " contains ';' (expected: parameters separated by '&', a ';' in a value escaped as %3B)");
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals), pair);
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1), name);
            values.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        }
        return values;
    }

    private static String decode(String encoded, String parameter) {
        if (encoded.indexOf('%') < 0 && encoded.indexOf('+') < 0) {
            return encoded;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                int high = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(encoded.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0 || encoded.charAt(i + 1) > 0x7f || encoded.charAt(i + 2) > 0x7f) {
                    throw new BindingException(FieldText.shortened(parameter), "query parameter "
                            + FieldText.quoted(parameter) + " has a malformed escape at "
                            + FieldText.quoted(encoded.substring(i, Math.min(i + 3, encoded.length())))
                            + " (expected: % and two hex digits)");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                // A run of plain characters at once, so a surrogate pair stays one code point.
                int end = i + 1;
                while (end < encoded.length() && encoded.charAt(end) != '%' && encoded.charAt(end) != '+') {
                    end++;
                }
                byte[] utf8 = encoded.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i = end - 1;
            }
        }
        return Utf8Text.decode(bytes.toByteArray()).orElseThrow(() -> new BindingException(
                FieldText.shortened(parameter), "query parameter " + FieldText.quoted(parameter)
                        + " is not UTF-8 once decoded (expected: text in UTF-8, bytes fields in base64)"));
    }
}
