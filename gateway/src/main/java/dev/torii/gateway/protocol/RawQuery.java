package dev.torii.gateway.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a URL query as bytes: {@code application/x-www-form-urlencoded} rules ({@code +} is a
 * space, {@code %XX} a byte), so a value may carry any bytes, not only UTF-8 text. The first
 * occurrence of a name wins.
 */
final class RawQuery {

    private RawQuery() {}

    /**
     * Parses a raw (still encoded) query.
     *
     * @param raw the query without {@code ?}, possibly null
     * @return names to decoded values
     */
    static Map<String, byte[]> parse(String raw) {
        Map<String, byte[]> values = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = new String(decode(equals < 0 ? pair : pair.substring(0, equals)), StandardCharsets.UTF_8);
            values.putIfAbsent(name, equals < 0 ? new byte[0] : decode(pair.substring(equals + 1)));
        }
        return values;
    }

    /**
     * Returns a value as UTF-8 text.
     *
     * @param query parsed values
     * @param name the name
     * @return the text, or null when absent
     */
    static String text(Map<String, byte[]> query, String name) {
        byte[] value = query.get(name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static byte[] decode(String encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '+') {
                out.write(' ');
            } else if (c == '%' && i + 2 < encoded.length() && hex(encoded.charAt(i + 1)) >= 0
                    && hex(encoded.charAt(i + 2)) >= 0) {
                out.write(hex(encoded.charAt(i + 1)) << 4 | hex(encoded.charAt(i + 2)));
                i += 2;
            } else {
                // A '%' not followed by two hex digits stands for itself, as browsers read it.
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
