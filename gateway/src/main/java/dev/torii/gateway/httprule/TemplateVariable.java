package dev.torii.gateway.httprule;

/**
 * A variable of a path template: the request-message field it binds and the range of the
 * template's segments whose matched text becomes the field's value.
 *
 * @param fieldPath the field path, for example {@code book.id}
 * @param start index of the variable's first segment in {@link PathTemplate#segments()}
 * @param end index one past its last segment
 * @param multiSegment whether the variable can match more than one request segment (it spans
 *     several template segments or ends in {@code **}); such a value keeps its {@code /}
 *     separators and its reserved characters stay percent-encoded (http.proto, "multiple path
 *     segments")
 */
public record TemplateVariable(String fieldPath, int start, int end, boolean multiSegment) {}
