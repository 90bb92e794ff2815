package dev.torii.gateway.httprule;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A recursive-descent parser for the path template grammar of {@code google/api/http.proto}; see
 * {@link PathTemplate}. Variables cannot nest, so the descent is at most two levels deep whatever
 * the input.
 */
final class PathTemplateParser {

    // RFC 3986 sub-delims and '@' allowed in a literal; ':' starts the verb and '*' is a wildcard.
    private static final String LITERAL_PUNCTUATION = "!$&'()+,;=@";

    private final String text;
    private int pos;
    private final List<PathSegment> segments = new ArrayList<>();
    private final List<Integer> segmentOffsets = new ArrayList<>();
    private final List<TemplateVariable> variables = new ArrayList<>();

    PathTemplateParser(String text) {
        this.text = text;
    }

    PathTemplate parse() {
        expect('/', "'/' to start the template");
        segments(false);
        Optional<String> verb = Optional.empty();
        if (peek() == ':') {
            pos++;
            int start = pos;
            String literal = literal();
            if (literal.isEmpty()) {
                throw error(start, "expected a verb after ':'");
            }
            verb = Optional.of(literal);
        }
        if (pos < text.length()) {
            throw error(pos, "expected '/', ':' or the end of the template");
        }
        checkMultiWildcardIsLast();
        return new PathTemplate(segments, variables, verb);
    }

    // Segments = Segment { "/" Segment }
    private void segments(boolean inVariable) {
        segment(inVariable);
        while (peek() == '/') {
            pos++;
            segment(inVariable);
        }
    }

    // Segment = "*" | "**" | LITERAL | Variable
    private void segment(boolean inVariable) {
        int start = pos;
        char c = peek();
        if (c == '*') {
            pos++;
            if (peek() == '*') {
                pos++;
                add(new PathSegment.MultiWildcard(), start);
            } else {
                add(new PathSegment.SingleWildcard(), start);
            }
            if (peek() == '*') {
                throw error(pos, "expected '*' or '**' as a whole segment");
            }
        } else if (c == '{') {
            if (inVariable) {
                throw error(pos, "expected a segment (variables cannot nest)");
            }
            variable();
        } else {
            String literal = literal();
            if (literal.isEmpty()) {
                throw error(start, "expected a literal, '*', '**' or '{'");
            }
            add(new PathSegment.Literal(literal), start);
        }
    }

    // Variable = "{" FieldPath [ "=" Segments ] "}"
    private void variable() {
        int open = pos;
        pos++;
        String fieldPath = fieldPath();
        int first = segments.size();
        if (peek() == '=') {
            pos++;
            segments(true);
        } else {
            add(new PathSegment.SingleWildcard(), pos);
        }
        expect('}', "'}' to close the variable '" + fieldPath + "'");
        for (TemplateVariable bound : variables) {
            if (bound.fieldPath().equals(fieldPath)) {
                throw error(open + 1, "field '" + fieldPath + "' is bound twice (expected: each field once)");
            }
        }
        int end = segments.size();
        boolean multiSegment = end - first > 1 || segments.get(end - 1) instanceof PathSegment.MultiWildcard;
        variables.add(new TemplateVariable(fieldPath, first, end, multiSegment));
    }

    // FieldPath = IDENT { "." IDENT }
    private String fieldPath() {
        int start = pos;
        ident();
        while (peek() == '.') {
            pos++;
            ident();
        }
        return text.substring(start, pos);
    }

    private void ident() {
        char c = peek();
        if (!(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
            throw error(pos, "expected a field name (a letter or '_')");
        }
        pos++;
        for (c = peek(); c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'; c = peek()) {
            pos++;
        }
    }

    // LITERAL: unreserved characters, sub-delims, '@' and percent escapes; normalised.
    private String literal() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '%') {
                if (PercentEncoding.firstMalformedEscape(text, pos, Math.min(text.length(), pos + 3)) >= 0) {
                    throw error(pos, "expected '%' to be followed by two hex digits");
                }
                pos += 3;
            } else if (PercentEncoding.isUnreserved(c) || LITERAL_PUNCTUATION.indexOf(c) >= 0) {
                pos++;
            } else {
                break;
            }
        }
        String literal = text.substring(start, pos);
        try {
            // A literal inside a multi-segment variable becomes part of a field's text value.
            PercentEncoding.decodeAll(literal, 0, literal.length());
        } catch (MalformedPathException e) {
            throw error(start, "expected escapes that decode as UTF-8");
        }
        return PercentEncoding.normalize(literal);
    }

    private void add(PathSegment segment, int offset) {
        segments.add(segment);
        segmentOffsets.add(offset);
    }

    // Only the last segment may be '**': anything after it could never be reached deterministically.
    private void checkMultiWildcardIsLast() {
        for (int i = 0; i < segments.size() - 1; i++) {
            if (segments.get(i) instanceof PathSegment.MultiWildcard) {
                throw error(segmentOffsets.get(i), "'**' must be the last segment");
            }
        }
    }

    private void expect(char c, String what) {
        if (peek() != c) {
            throw error(pos, "expected " + what);
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private TemplateSyntaxException error(int offset, String problem) {
        String found = offset < text.length() ? "found '" + text.charAt(offset) + "'" : "found the end";
        return new TemplateSyntaxException(text, offset, problem + ", " + found);
    }
}
