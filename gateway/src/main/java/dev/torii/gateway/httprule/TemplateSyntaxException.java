package dev.torii.gateway.httprule;

/**
 * Reports a {@code google.api.http} path template that does not follow the grammar of
 * {@code google/api/http.proto}: the message names the template, the offset of the first bad
 * character and what was expected there.
 */
public final class TemplateSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String template;
    private final int offset;

    TemplateSyntaxException(String template, int offset, String problem) {
        super("path template '" + template + "': " + problem + " at offset " + offset);
        this.template = template;
        this.offset = offset;
    }

    /**
     * Returns the template as written.
     *
     * @return the refused text
     */
    public String template() {
        return template;
    }

    /**
     * Returns where the problem is.
     *
     * @return the zero-based offset into {@link #template()}
     */
    public int offset() {
        return offset;
    }
}
