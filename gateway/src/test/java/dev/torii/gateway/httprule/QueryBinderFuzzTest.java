package dev.torii.gateway.httprule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torii.gateway.test.v1.Scalars;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes query binding into a request type of every field shape (scalars, repeated, maps, oneofs,
 * well-known types, a recursive message). Any query either binds to a message the backend parses
 * or is refused with a {@link BindingException} (a 400), never another exception; and text a form
 * encoder wrote reads back as written.
 */
class QueryBinderFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"&", "=", "%", "+", ".", "[", "]", ";", "%2E", "%5B", "%ff", "text", "child", "tags",
        "numbers", "genre", "GENRE_POETRY", "labels[", "genreByRank[", "booksByRank[", "books", "time", "duration",
        "mask", "wrapped_int64", "wrappedBool", "attributes", "choice_text", "choiceNumber", "maybe", "customName",
        "int32Value", "uint64_value", "float_value", "doubleValue", "bytesValue", "NaN", "-Infinity",
        "2024-05-01T12:00:00Z", "1.5s", "18446744073709551615", "-9223372036854775808", "{\"a\":1}"})
    void bindsOrRefusesWithABindingException(byte[] query) {
        // A raw query reaches the gateway as the characters of the request line.
        String raw = new String(query, StandardCharsets.ISO_8859_1);

        byte[] request;
        try {
            request = Bindings.BINDER.bind(Bindings.testMethod("Search"), "", Map.of(), raw, null, null);
        } catch (BindingException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            assertThat(refused.fieldPath()).isNotNull();
            return;
        }
        assertThatCode(() -> Scalars.parseFrom(request)).doesNotThrowAnyException();
    }

    @FuzzTest(maxDuration = "30s")
    void readsBackTextAFormEncoderWrote(String text) throws Exception {
        // URLEncoder writes a lone surrogate as '?': only text that is valid UTF-16 can read back.
        if (text == null || text.isEmpty() || !new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(text)) {
            return;
        }
        String query = "tags=x&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8) + "&tags="
                + URLEncoder.encode(text, StandardCharsets.UTF_8);

        Scalars request = Scalars.parseFrom(Bindings.BINDER.bind(Bindings.testMethod("Search"), "", Map.of(), query,
                null, null));

        assertThat(request.getText()).isEqualTo(text);
        assertThat(request.getTagsList()).containsExactly("x", text);
    }
}
