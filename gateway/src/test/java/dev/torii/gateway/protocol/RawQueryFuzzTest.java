package dev.torii.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes the query reader of Connect's GET form. Any query parses, without an exception; where the
 * JDK's form decoder can read a pair (every {@code %} followed by two hex digits) both read the
 * same bytes; and what a form encoder writes, any bytes in names and values, reads back, the first
 * occurrence of a name winning.
 */
class RawQueryFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void readsWhatTheJdkFormDecoderReads(byte[] query) {
        // A raw query reaches the gateway as the characters of the request line.
        String raw = new String(query, StandardCharsets.ISO_8859_1);

        Map<String, byte[]> values = RawQuery.parse(raw);

        Map<String, byte[]> expected = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            if (pair.isEmpty() || !wellEscaped(name) || !wellEscaped(value)) {
                return;
            }
            expected.putIfAbsent(new String(jdkDecoded(name), StandardCharsets.UTF_8), jdkDecoded(value));
        }
        assertThat(values.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<String, byte[]> entry : expected.entrySet()) {
            assertThat(values.get(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void readsBackWhatAFormEncoderWrote(byte[] data) {
        // The data cut in pieces at each 0x00 byte, as name, value, name, value…
        Map<String, byte[]> written = new LinkedHashMap<>();
        StringBuilder query = new StringBuilder();
        int start = 0;
        String name = null;
        for (int i = 0; i <= data.length; i++) {
            if (i < data.length && data[i] != 0) {
                continue;
            }
            byte[] piece = Arrays.copyOfRange(data, start, i);
            start = i + 1;
            if (name == null) {
                // Names are text: the reader makes UTF-8 text of them.
                name = new String(piece, StandardCharsets.UTF_8);
                continue;
            }
            written.putIfAbsent(name, piece);
            query.append(query.isEmpty() ? "" : "&").append(encoded(name.getBytes(StandardCharsets.UTF_8)))
                    .append('=').append(encoded(piece));
            name = null;
        }

        Map<String, byte[]> read = RawQuery.parse(query.toString());

        assertThat(read.keySet()).isEqualTo(written.keySet());
        for (Map.Entry<String, byte[]> entry : written.entrySet()) {
            assertThat(read.get(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
            assertThat(RawQuery.text(read, entry.getKey()))
                    .isEqualTo(new String(entry.getValue(), StandardCharsets.UTF_8));
        }
    }

    private static boolean wellEscaped(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7f) {
                // The JDK decoder would turn it into its charset's bytes; only ASCII is compared.
                return false;
            }
            if (text.charAt(i) == '%' && (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                    || Character.digit(text.charAt(i + 2), 16) < 0)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] jdkDecoded(String text) {
        return URLDecoder.decode(text, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1);
    }

    // Spaces as '+', every byte but letters and digits as %XX, as browsers write a form.
    private static String encoded(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == ' ') {
                out.append('+');
            } else if (c < 0x80 && Character.isLetterOrDigit(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return out.toString();
    }
}
