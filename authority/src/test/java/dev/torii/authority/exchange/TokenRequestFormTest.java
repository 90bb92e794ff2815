package dev.torii.authority.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenRequestFormTest {

    private static Map<String, List<String>> parse(String body) {
        return TokenRequestForm.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesPercentEscapesPlusSignsAndUtf8() {
        assertThat(parse("grant_type=urn%3Aietf%3Aparams&scope=a+b&name=J%C3%BCrgen&raw=Jürgen"))
                .containsEntry("grant_type", List.of("urn:ietf:params"))
                .containsEntry("scope", List.of("a b"))
                .containsEntry("name", List.of("Jürgen"))
                .containsEntry("raw", List.of("Jürgen"));
    }

    @Test
    void keepsRepeatedParametersInOrderAndSkipsEmptyPairs() {
        assertThat(parse("&audience=a&&audience=b&flag&empty=&")).containsOnlyKeys("audience", "flag", "empty")
                .containsEntry("audience", List.of("a", "b"))
                .containsEntry("flag", List.of(""))
                .containsEntry("empty", List.of(""));
        assertThat(parse("")).isEmpty();
    }

    @Test
    void keepsEqualsSignsInsideAValue() {
        assertThat(parse("subject_token=abc==")).containsEntry("subject_token", List.of("abc=="));
    }

    static Stream<Arguments> malformedForms() {
        return Stream.of(
                Arguments.of("a percent sign at the end", "subject_token=abc%", "malformed percent-encoding at byte 17"),
                Arguments.of("one hex digit", "subject_token=abc%4", "malformed percent-encoding"),
                Arguments.of("no hex digits", "subject_token=%zz", "malformed percent-encoding"),
                Arguments.of("an escape cut by the next pair", "a=%4&b=1", "malformed percent-encoding"),
                Arguments.of("a lone continuation byte", "subject_token=%80", "is not UTF-8"),
                Arguments.of("an overlong encoding", "subject_token=%C0%AF", "is not UTF-8"),
                Arguments.of("an encoded surrogate", "subject_token=%ED%A0%80", "is not UTF-8"),
                Arguments.of("a truncated sequence", "subject_token=%E2%82", "is not UTF-8"),
                Arguments.of("a name that is not UTF-8", "%ff=1", "is not UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedForms")
    void refusesAMalformedForm(String description, String body, String message) {
        assertThatThrownBy(() -> parse(body)).isInstanceOf(InvalidExchangeRequestException.class)
                .hasMessageContaining(message);
    }
}
