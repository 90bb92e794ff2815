package dev.torii.gateway.httprule;

/**
 * One segment of a parsed path template: a literal, {@code *} (exactly one request segment) or
 * {@code **} (every remaining request segment, zero or more; only ever the last segment).
 */
public sealed interface PathSegment {

    /** The segment as it appears in a template's canonical text. */
    String text();

    /**
     * A segment that matches one request segment equal to it once unreserved characters are
     * decoded.
     *
     * @param value the literal in canonical form: unreserved characters unescaped, other escapes
     *     with upper-case hex digits
     */
    record Literal(String value) implements PathSegment {
        @Override
        public String text() {
            return value;
        }
    }

    /** {@code *}: matches exactly one non-empty request segment. */
    record SingleWildcard() implements PathSegment {
        @Override
        public String text() {
            return "*";
        }
    }

    /** {@code **}: matches the remaining request segments, zero or more. */
    record MultiWildcard() implements PathSegment {
        @Override
        public String text() {
            return "**";
        }
    }
}
