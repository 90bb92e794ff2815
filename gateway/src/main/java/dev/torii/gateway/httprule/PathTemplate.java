package dev.torii.gateway.httprule;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed {@code google.api.http} path template such as {@code /v1/{name=shelves/*}/books:list}:
 * its segments, its variables and its optional custom verb. Immutable; two templates are equal
 * when their canonical texts are ({@code {id}} and {@code {id=*}} are the same template).
 *
 * <p>The grammar is the one of {@code google/api/http.proto}:
 * <pre>
 * Template = "/" Segments [ Verb ] ;
 * Segments = Segment { "/" Segment } ;
 * Segment  = "*" | "**" | LITERAL | Variable ;
 * Variable = "{" FieldPath [ "=" Segments ] "}" ;
 * FieldPath = IDENT { "." IDENT } ;
 * Verb     = ":" LITERAL ;
 * </pre>
 * with its constraints: {@code **} only as the last segment, no variable inside a variable, no
 * field bound twice. A LITERAL is RFC 3986 path characters without {@code :} (which starts the
 * verb), {@code *}, {@code {}, {@code }} or {@code /}; percent escapes are allowed if they decode
 * as UTF-8, and compare in their normalised form.
 */
public final class PathTemplate {

    private final List<PathSegment> segments;
    private final List<TemplateVariable> variables;
    private final Optional<String> verb;
    private final String text;

    PathTemplate(List<PathSegment> segments, List<TemplateVariable> variables, Optional<String> verb) {
        this.segments = List.copyOf(segments);
        this.variables = List.copyOf(variables);
        this.verb = verb;
        this.text = canonicalText(this.segments, this.variables, verb);
    }

    /**
     * Parses a template.
     *
     * @param text the template as written in an {@code HttpRule}, for example
     *     {@code /v1/{name=shelves/*}}
     * @return the template
     * @throws TemplateSyntaxException naming the offset and what was expected when {@code text} does
     *     not follow the grammar
     */
    public static PathTemplate parse(String text) {
        Objects.requireNonNull(text, "text");
        return new PathTemplateParser(text).parse();
    }

    /**
     * Returns the segments the matcher compares, variables flattened into their own segments and
     * the verb left out.
     *
     * @return the segments, at least one
     */
    public List<PathSegment> segments() {
        return segments;
    }

    /**
     * Returns the variables in the order they appear.
     *
     * @return the variables, possibly none
     */
    public List<TemplateVariable> variables() {
        return variables;
    }

    /**
     * Returns the field paths the variables bind, in the order they appear.
     *
     * @return for example {@code ["shelf", "book.id"]}
     */
    public List<String> fieldPaths() {
        return variables.stream().map(TemplateVariable::fieldPath).toList();
    }

    /**
     * Returns the custom verb, the text after the final {@code :}.
     *
     * @return for example {@code publish} for {@code /v1/{name=*}:publish}; empty when there is none
     */
    public Optional<String> verb() {
        return verb;
    }

    /**
     * Returns the canonical text: {@code {f=*}} written {@code {f}}, literals' escapes normalised.
     *
     * @return for example {@code /v1/{name=shelves/*}/books/{book}:publish}
     */
    public String text() {
        return text;
    }

    /**
     * Returns the shape the matcher keys on: the segments and the verb, variable names left out,
     * so {@code /v1/{id}} and {@code /v1/{name}} have the same shape.
     *
     * @return for example {@code /v1/*:publish}
     */
    public String shape() {
        StringBuilder out = new StringBuilder();
        for (PathSegment segment : segments) {
            out.append('/').append(segment.text());
        }
        verb.ifPresent(v -> out.append(':').append(v));
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PathTemplate template && template.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    private static String canonicalText(List<PathSegment> segments, List<TemplateVariable> variables,
            Optional<String> verb) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < segments.size(); i++) {
            out.append('/');
            if (next < variables.size() && variables.get(next).start() == i) {
                TemplateVariable variable = variables.get(next++);
                out.append('{').append(variable.fieldPath());
                boolean implicit = variable.end() - variable.start() == 1
                        && segments.get(i) instanceof PathSegment.SingleWildcard;
                if (!implicit) {
                    out.append('=');
                    for (int j = variable.start(); j < variable.end(); j++) {
                        out.append(j == variable.start() ? "" : "/").append(segments.get(j).text());
                    }
                }
                out.append('}');
                i = variable.end() - 1;
            } else {
                out.append(segments.get(i).text());
            }
        }
        verb.ifPresent(v -> out.append(':').append(v));
        return out.toString();
    }
}
