package dev.torii.gateway.httprule;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Decodes bytes that must be UTF-8 (a percent-decoded path value or query parameter, a JSON
 * body) strictly: malformed or unmappable input is refused, never replaced with U+FFFD, so the
 * caller can answer 400 naming what it read.
 */
final class Utf8Text {

    private Utf8Text() {}

    /**
     * Decodes {@code bytes} as UTF-8.
     *
     * @param bytes the bytes
     * @return the text, or empty when the bytes are not valid UTF-8
     */
    static Optional<String> decode(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
