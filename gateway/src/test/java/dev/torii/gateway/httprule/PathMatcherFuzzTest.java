package dev.torii.gateway.httprule;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the path template parser and the matcher. Any text is a template whose canonical form
 * parses back to it, or a {@link TemplateSyntaxException} with an offset inside the text; a
 * template matches the path it expands to, giving back the values put in, and any path is
 * answered with a {@link Match}, never an exception; over several bindings, the trie picks what
 * a linear scan ranking each match by its segments (literal, then {@code *}, then {@code **},
 * from the left) picks.
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

    @FuzzTest(maxDuration = "60s")
    void picksWhatALinearScanPicks(byte[] data) {
        // Lines "METHOD /template" are bindings up to the first empty line, then requests "METHOD /path".
        List<HttpBinding> bindings = new ArrayList<>();
        List<String[]> requests = new ArrayList<>();
        PathMatcher.Builder<String> builder = PathMatcher.builder();
        boolean readingRequests = false;
        for (String line : new String(data, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            String[] parts = line.split(" ", 2);
            if (line.isEmpty()) {
                readingRequests = true;
            } else if (parts.length == 2 && !parts[0].isEmpty() && readingRequests) {
                requests.add(parts);
            } else if (parts.length == 2 && !parts[0].isEmpty()) {
                try {
                    HttpBinding binding = new HttpBinding(parts[0], PathTemplate.parse(parts[1]), "", "");
                    builder.add(binding, String.valueOf(bindings.size()));
                    bindings.add(binding);
                } catch (IllegalArgumentException notATemplateOrAConflict) {
                    // Left out of both the matcher and the reference.
                }
            }
        }
        PathMatcher<String> matcher = builder.build();
        for (String[] request : requests) {
            Match<String> match = matcher.match(request[0], request[1]);
            if (match instanceof Match.BadPath) {
                continue;
            }
            String got = match instanceof Match.Found<String> found ? found.value() : PathMatcherTest.describe(match);
            assertThat(got).as(String.join(" ", request)).isEqualTo(LinearScan.pick(bindings, request[0], request[1]));
        }
    }

    // The reference: every binding tried in turn, the lowest rank vector (0 literal, 1 '*', 2 '**')
    // winning; the verb split off the last segment first when some binding declares it.
    private static final class LinearScan {

        static String pick(List<HttpBinding> bindings, String method, String rawPath) {
            String[] segments = rawPath.substring(1).split("/", -1);
            String last = segments[segments.length - 1];
            int colon = last.lastIndexOf(':');
            if (colon > 0) {
                String verb = PercentEncoding.normalize(last.substring(colon + 1));
                if (bindings.stream().anyMatch(b -> b.template().verb().equals(java.util.Optional.of(verb)))) {
                    String[] cut = segments.clone();
                    cut[cut.length - 1] = last.substring(0, colon);
                    String answer = pick(bindings, method, cut, verb);
                    if (!answer.equals("404")) {
                        return answer;
                    }
                }
            }
            return pick(bindings, method, segments, "");
        }

        private static String pick(List<HttpBinding> bindings, String method, String[] segments, String verb) {
            String best = null;
            List<Integer> bestRanks = null;
            java.util.Set<String> allowed = new java.util.TreeSet<>();
            for (int i = 0; i < bindings.size(); i++) {
                HttpBinding binding = bindings.get(i);
                if (!binding.template().verb().orElse("").equals(verb)) {
                    continue;
                }
                List<Integer> ranks = ranks(binding.template().segments(), segments);
                if (ranks == null) {
                    continue;
                }
                allowed.add(binding.verb());
                if (binding.verb().equals(method) && (bestRanks == null || compare(ranks, bestRanks) < 0)) {
                    best = String.valueOf(i);
                    bestRanks = ranks;
                }
            }
            if (best != null) {
                return best;
            }
            return allowed.isEmpty() ? "404" : "405 " + String.join(",", allowed);
        }

        private static List<Integer> ranks(List<PathSegment> template, String[] segments) {
            List<Integer> ranks = new ArrayList<>();
            for (int i = 0; i < template.size(); i++) {
                PathSegment segment = template.get(i);
                if (segment instanceof PathSegment.MultiWildcard) {
                    for (int j = i; j < segments.length; j++) {
                        if (segments[j].isEmpty()) {
                            return null;
                        }
                    }
                    ranks.add(2);
                    return ranks;
                }
                if (i >= segments.length || segments[i].isEmpty()) {
                    return null;
                }
                if (segment instanceof PathSegment.Literal literal) {
                    if (!PercentEncoding.normalize(segments[i]).equals(literal.value())) {
                        return null;
                    }
                    ranks.add(0);
                } else {
                    ranks.add(1);
                }
            }
            return template.size() == segments.length ? ranks : null;
        }

        // Lexicographic, a vector before its extensions.
        private static int compare(List<Integer> a, List<Integer> b) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int order = Integer.compare(a.get(i), b.get(i));
                if (order != 0) {
                    return order;
                }
            }
            return Integer.compare(a.size(), b.size());
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
