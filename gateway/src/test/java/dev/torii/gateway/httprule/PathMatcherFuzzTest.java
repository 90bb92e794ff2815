package dev.torii.gateway.httprule;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the path template parser and the matcher. Any text is a template whose canonical form
 * parses back to it, or a {@link TemplateSyntaxException} with an offset inside the text; a
 * template matches the path it expands to, giving back the values put in, and any path is
 * answered with a {@link Match}, never an exception.
 */
class PathMatcherFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parsesToACanonicalFormOrNamesTheOffset(byte[] data) {
        // Templates come from proto options and route files, where they are text.
        String text = new String(data, StandardCharsets.ISO_8859_1);
        PathTemplate template;
        try {
            template = PathTemplate.parse(text);
        } catch (TemplateSyntaxException refused) {
            assertThat(refused.offset()).isBetween(0, text.length());
            assertThat(refused.getMessage()).startsWith("path template '").endsWith("at offset " + refused.offset());
            return;
        }
        PathTemplate again = PathTemplate.parse(template.text());
        assertThat(again).isEqualTo(template);
        assertThat(again.text()).isEqualTo(template.text());
        assertThat(again.variables()).isEqualTo(template.variables());
        assertThat(again.verb()).isEqualTo(template.verb());
        List<PathSegment> segments = template.segments();
        for (int i = 0; i < segments.size() - 1; i++) {
            assertThat(segments.get(i)).isNotInstanceOf(PathSegment.MultiWildcard.class);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void matchesWhatATemplateExpandsTo(byte[] data) {
        // The first line is the template; each next line is the value of the next '*' variable.
        String[] lines = new String(data, StandardCharsets.ISO_8859_1).split("\n", -1);
        PathTemplate template;
        try {
            template = PathTemplate.parse(lines[0]);
        } catch (TemplateSyntaxException refused) {
            return;
        }
        PathMatcher<String> matcher = PathMatcher.<String>builder()
                .add(new HttpBinding("GET", template, "", ""), "bound").build();

        StringBuilder path = new StringBuilder();
        Map<String, String> expected = new LinkedHashMap<>();
        int line = 1;
        List<PathSegment> segments = template.segments();
        for (int i = 0; i < segments.size(); i++) {
            PathSegment segment = segments.get(i);
            TemplateVariable variable = variableAt(template, i);
            if (segment instanceof PathSegment.Literal literal) {
                path.append('/').append(literal.value());
            } else if (segment instanceof PathSegment.MultiWildcard) {
                path.append("/x/y");
            } else if (variable != null && !variable.multiSegment()) {
                String value = line < lines.length && !lines[line].isEmpty()
                        ? new String(lines[line].getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)
                        : "v";
                line++;
                // What a client that encodes a single-segment value as http.proto says would send.
                String sent = new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
                expected.put(variable.fieldPath(), sent);
                path.append('/').append(encodeAllButUnreserved(sent));
            } else {
                path.append("/x");
            }
        }
        template.verb().ifPresent(verb -> path.append(':').append(verb));

        Match<String> match = matcher.match("GET", path.toString());

        assertThat(match).as(path.toString()).isInstanceOf(Match.Found.class);
        Map<String, String> variables = ((Match.Found<String>) match).variables();
        assertThat(List.copyOf(variables.keySet())).isEqualTo(template.fieldPaths());
        assertThat(variables).containsAllEntriesOf(expected);
        assertThat(matcher.match("POST", path.toString())).isEqualTo(new Match.MethodNotAllowed<>(java.util.Set.of("GET")));

        // Whatever else arrives is answered, not thrown.
        for (int i = line; i < lines.length; i++) {
            Match<String> other = matcher.match("GET", lines[i]);
            if (other instanceof Match.Found<String> found) {
                assertThat(List.copyOf(found.variables().keySet())).isEqualTo(template.fieldPaths());
            }
        }
    }

    private static TemplateVariable variableAt(PathTemplate template, int segment) {
        for (TemplateVariable variable : template.variables()) {
            if (variable.start() <= segment && segment < variable.end()) {
                return variable;
            }
        }
        return null;
    }

    private static String encodeAllButUnreserved(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (PercentEncoding.isUnreserved(c)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }
}
