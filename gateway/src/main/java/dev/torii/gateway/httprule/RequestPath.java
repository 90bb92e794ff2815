package dev.torii.gateway.httprule;

import java.util.Optional;
import java.util.Set;

/**
 * A raw request path cut into segments at each {@code /} (an escaped {@code %2F} does not cut),
 * as offsets into the path, with the custom verb split off the last segment when the matcher
 * tries one. Nothing is copied or decoded until a segment is compared or a value extracted.
 */
final class RequestPath {

    private final String raw;
    private final int[] starts;
    private final int[] ends;
    private final String verb;
    private final int lastEmpty;

    private RequestPath(String raw, int[] starts, int[] ends, String verb, int lastEmpty) {
        this.raw = raw;
        this.starts = starts;
        this.ends = ends;
        this.verb = verb;
        this.lastEmpty = lastEmpty;
    }

    /** Returns how many segments a path starting with {@code /} has: its number of {@code /}. */
    static int countSegments(String raw) {
        int count = 0;
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) == '/') {
                count++;
            }
        }
        return count;
    }

    /** Cuts a path that starts with {@code /} into its segments, the last one whole. */
    static RequestPath split(String raw, int count) {
        int[] starts = new int[count];
        int[] ends = new int[count];
        int lastEmpty = -1;
        int segment = 0;
        for (int i = 1; segment < count; i++) {
            if (i == raw.length() || raw.charAt(i) == '/') {
                starts[segment] = segment == 0 ? 1 : ends[segment - 1] + 1;
                ends[segment] = i;
                if (starts[segment] == i) {
                    lastEmpty = segment;
                }
                segment++;
            }
        }
        return new RequestPath(raw, starts, ends, "", lastEmpty);
    }

    /**
     * Returns this path with the verb cut off its last segment: the text after the last {@code :},
     * when it is one of {@code verbs} and some text precedes the colon.
     */
    Optional<RequestPath> withVerb(Set<String> verbs) {
        int last = starts.length - 1;
        if (verbs.isEmpty() || last < 0) {
            return Optional.empty();
        }
        int colon = raw.lastIndexOf(':', ends[last] - 1);
        if (colon <= starts[last]) {
            return Optional.empty();
        }
        String candidate = PercentEncoding.normalize(raw.substring(colon + 1, ends[last]));
        if (!verbs.contains(candidate)) {
            return Optional.empty();
        }
        int[] cut = ends.clone();
        cut[last] = colon;
        return Optional.of(new RequestPath(raw, starts, cut, candidate, lastEmpty));
    }

    int count() {
        return starts.length;
    }

    /** Returns the verb cut off the last segment, or {@code ""}. */
    String verb() {
        return verb;
    }

    String segment(int index) {
        return raw.substring(starts[index], ends[index]);
    }

    boolean isEmpty(int index) {
        return starts[index] == ends[index];
    }

    /** Tells whether segments {@code index} to the last are all non-empty. */
    boolean noEmptySegmentFrom(int index) {
        return lastEmpty < index;
    }

    /** Returns segments {@code [from, to)} with their separators, every escape decoded. */
    String decodeAll(int from, int to) {
        return from == to ? "" : PercentEncoding.decodeAll(raw, starts[from], ends[to - 1]);
    }

    /** Returns segments {@code [from, to)} with their separators, reserved characters' escapes kept. */
    String decodeExceptReserved(int from, int to) {
        return from == to ? "" : PercentEncoding.decodeExceptReserved(raw, starts[from], ends[to - 1]);
    }
}
