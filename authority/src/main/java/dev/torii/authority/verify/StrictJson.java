package dev.torii.authority.verify;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.Map;

/**
 * Parses JSON objects from identity providers and tokens strictly. Nimbus's {@link
 * JSONObjectUtils#parse(String)} reads {@code []} as an empty object and {@code null} as null;
 * here both are errors, so a broken answer is never mistaken for "no keys" or "no claims".
 */
final class StrictJson {

    private StrictJson() {}

    /**
     * Parses a JSON object.
     *
     * @param text the JSON text
     * @return its members, never null
     * @throws ParseException when the text is not exactly one JSON object
     */
    static Map<String, Object> parseObject(String text) throws ParseException {
        if (text == null || !text.strip().startsWith("{")) {
            throw new ParseException("not a JSON object", 0);
        }
        Map<String, Object> members = JSONObjectUtils.parse(text);
        if (members == null) {
            throw new ParseException("not a JSON object", 0);
        }
        return members;
    }
}
