package dev.torii.authority.exchange;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the {@code application/x-www-form-urlencoded} body of a token request strictly, as RFC
 * 6749 appendix B asks: UTF-8 after percent-decoding, {@code +} for a space, and nothing that a
 * lenient decoder would quietly repair. Malformed input is an {@link
 * InvalidExchangeRequestException} naming the problem, never a replacement character.
 */
final class TokenRequestForm {

    private TokenRequestForm() {}

    /**
     * Parses a form body.
     *
     * @param body the raw body, already bounded in size by the caller
     * @return every parameter's values in the order given; a name without {@code =} has an empty
     *     value, empty pairs ({@code a=1&&b=2}) are skipped
     * @throws InvalidExchangeRequestException when a percent escape is malformed or a decoded name
     *     or value is not UTF-8
     */
    static Map<String, List<String>> parse(byte[] body) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start);
            if (end > start) {
                int equals = indexOf(body, (byte) '=', start);
                int nameEnd = equals < end ? equals : end;
                String name = decode(body, start, nameEnd);
                String value = equals < end ? decode(body, equals + 1, end) : "";
                form.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
        return form;
    }

    private static int indexOf(byte[] body, byte wanted, int from) {
        for (int i = from; i < body.length; i++) {
            if (body[i] == wanted) {
                return i;
            }
        }
        return body.length;
    }

    private static String decode(byte[] body, int from, int to) {
        byte[] decoded = new byte[to - from];
        int length = 0;
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                decoded[length++] = ' ';
            } else if (b == '%') {
                int high = i + 1 < to ? Character.digit(body[i + 1], 16) : -1;
                int low = i + 2 < to ? Character.digit(body[i + 2], 16) : -1;
                if (high < 0 || low < 0) {
                    throw new InvalidExchangeRequestException("form: malformed percent-encoding at byte " + i
                            + " (expected: % followed by two hexadecimal digits)");
                }
                decoded[length++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                decoded[length++] = b;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidExchangeRequestException("form: a parameter starting at byte " + from
                    + " is not UTF-8 once percent-decoded (expected: UTF-8, RFC 6749 appendix B)");
        }
    }
}
