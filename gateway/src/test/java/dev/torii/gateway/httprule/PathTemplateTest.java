package dev.torii.gateway.httprule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The template grammar of {@code google/api/http.proto}: the examples of http.proto and AIP-127
 * parse to their canonical form and field paths; every kind of malformed template is refused with
 * the offset of the problem.
 */
class PathTemplateTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /v1/messages/{message_id}                          | /v1/messages/{message_id}                         | message_id              |
            /v1/{name=messages/*}                              | /v1/{name=messages/*}                             | name                    |
            /v1/users/{user_id}/messages/{message_id}          | /v1/users/{user_id}/messages/{message_id}         | user_id,message_id      |
            /v1/{name=shelves/*/books/*}:publish               | /v1/{name=shelves/*/books/*}:publish              | name                    | publish
            /v1/{book.name=shelves/*/books/*}                  | /v1/{book.name=shelves/*/books/*}                 | book.name               |
            /v1/messages/{message_id=*}                        | /v1/messages/{message_id}                         | message_id              |
            /v1/{resource=**}:getIamPolicy                     | /v1/{resource=**}:getIamPolicy                    | resource                |  getIamPolicy
            /v1/**                                             | /v1/**                                            |                         |
            /v1/*/books                                        | /v1/*/books                                       |                         |
            /v1/offers                                         | /v1/offers                                        |                         |
            /v1/sellers/{seller_id}/offers:watch               | /v1/sellers/{seller_id}/offers:watch              | seller_id               | watch
            /v1/{a.b.c_d}/x/{e_1=x/**}                         | /v1/{a.b.c_d}/x/{e_1=x/**}                        | a.b.c_d,e_1             |
            /v1/%7euser/%2fslash/%41                           | /v1/~user/%2Fslash/A                              |                         |
            /v1/a=b;c,d!$&'()+@                                | /v1/a=b;c,d!$&'()+@                               |                         |
            /v1/{name=projects/*/locations/*}/things:batchGet  | /v1/{name=projects/*/locations/*}/things:batchGet | name                    | batchGet
            /{x}                                               | /{x}                                              | x                       |
            """)
    void parsesToTheCanonicalForm(String text, String canonical, String fieldPaths, String verb) {
        PathTemplate template = PathTemplate.parse(text);

        assertThat(template.text()).isEqualTo(canonical);
        assertThat(template.fieldPaths()).isEqualTo(fieldPaths == null ? List.of() : List.of(fieldPaths.split(",")));
        assertThat(template.verb()).isEqualTo(Optional.ofNullable(verb));
        assertThat(PathTemplate.parse(canonical)).isEqualTo(template).hasSameHashCodeAs(template);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                          | 0  | expected '/' to start the template
            v1/offers                   | 0  | expected '/' to start the template
            /                           | 1  | expected a literal, '*', '**' or '{'
            /v1/                        | 4  | expected a literal, '*', '**' or '{'
            /v1//offers                 | 4  | expected a literal, '*', '**' or '{'
            /v1/offers:                 | 11 | expected a verb after ':'
            /v1/offers:watch:now        | 16 | expected '/', ':' or the end of the template
            /v1/offers:watch/x          | 16 | expected '/', ':' or the end of the template
            /v1/**/offers               | 4  | '**' must be the last segment
            /v1/{name=**}/offers        | 10 | '**' must be the last segment
            /v1/***                     | 6  | expected '*' or '**' as a whole segment
            /v1/a*                      | 5  | expected '/', ':' or the end of the template
            /v1/{name                   | 9  | expected '}' to close the variable 'name'
            /v1/{}                      | 5  | expected a field name (a letter or '_')
            /v1/{1a}                    | 5  | expected a field name (a letter or '_')
            /v1/{a.}                    | 7  | expected a field name (a letter or '_')
            /v1/{a..b}                  | 7  | expected a field name (a letter or '_')
            /v1/{a=}                    | 7  | expected a literal, '*', '**' or '{'
            /v1/{a={b}}                 | 7  | expected a segment (variables cannot nest)
            /v1/{a}/{a}                 | 9  | field 'a' is bound twice (expected: each field once)
            /v1/{a=b/}                  | 9  | expected a literal, '*', '**' or '{'
            /v1/%zz                     | 4  | expected '%' to be followed by two hex digits
            /v1/%2                      | 4  | expected '%' to be followed by two hex digits
            /v1/a%FFb                   | 4  | expected escapes that decode as UTF-8
            /v1/{name=x/%C3}            | 12 | expected escapes that decode as UTF-8
            /v1/a b                     | 5  | expected '/', ':' or the end of the template
            /v1/a?b                     | 5  | expected '/', ':' or the end of the template
            /v1/a#b                     | 5  | expected '/', ':' or the end of the template
            /v1/é                       | 4  | expected a literal, '*', '**' or '{'
            /v1/a}                      | 5  | expected '/', ':' or the end of the template
            /v1/{a b}                   | 6  | expected '}' to close the variable 'a'
            /v1/x:{a}                   | 6  | expected a verb after ':'
            """)
    void refusesAMalformedTemplateNamingTheOffset(String text, int offset, String expected) {
        assertThatThrownBy(() -> PathTemplate.parse(text))
                .isInstanceOfSatisfying(TemplateSyntaxException.class, e -> {
                    assertThat(e.offset()).isEqualTo(offset);
                    assertThat(e.template()).isEqualTo(text);
                })
                .hasMessageStartingWith("path template '" + text + "': " + expected)
                .hasMessageEndingWith("at offset " + offset);
    }

    @Test
    void flattensVariablesIntoSegmentsAndRecordsTheirRanges() {
        PathTemplate template = PathTemplate.parse("/v1/{name=shelves/*/books/*}/{page}:list");

        assertThat(template.segments()).extracting(PathSegment::text)
                .containsExactly("v1", "shelves", "*", "books", "*", "*");
        assertThat(template.variables()).containsExactly(
                new TemplateVariable("name", 1, 5, true), new TemplateVariable("page", 5, 6, false));
        assertThat(template.shape()).isEqualTo("/v1/shelves/*/books/*/*:list");
    }

    @Test
    void aVariableEndingInTheMultiWildcardIsMultiSegment() {
        assertThat(PathTemplate.parse("/v1/{path=**}").variables())
                .containsExactly(new TemplateVariable("path", 1, 2, true));
    }

    @Test
    void templatesDifferingOnlyInVariableNamesShareAShapeButAreNotEqual() {
        PathTemplate id = PathTemplate.parse("/v1/{id}");
        PathTemplate name = PathTemplate.parse("/v1/{name}");

        assertThat(id.shape()).isEqualTo(name.shape());
        assertThat(id).isNotEqualTo(name);
    }
}
