package dev.torii.gateway.observe;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Writes a moment as {@link Instant#toString()} does (ISO-8601 in UTC, the fraction in groups of
 * three digits, as many as it needs), formatting the date and time of day once per second rather
 * than once per line: the access log writes a timestamp for every request, and the JDK's
 * formatter costs more than the rest of the line.
 */
public final class LogTimestamp {

    // The second last formatted, shared by every thread; a stale one is only formatted again.
    private record Second(long epochSecond, String text) {}

    private static volatile Second current = new Second(Long.MIN_VALUE, "");

    private LogTimestamp() {}

    /**
     * Appends the present moment.
     *
     * @param out where the text goes
     */
    public static void appendNow(StringBuilder out) {
        append(out, Instant.now());
    }

    /**
     * Appends a moment.
     *
     * @param out where the text goes
     * @param moment the moment
     */
    static void append(StringBuilder out, Instant moment) {
        long epochSecond = moment.getEpochSecond();
        Second second = current;
        if (second.epochSecond() != epochSecond) {
            String whole = moment.truncatedTo(ChronoUnit.SECONDS).toString();
            second = new Second(epochSecond, whole.substring(0, whole.length() - 1));
            current = second;
        }
        out.append(second.text());
        int nanos = moment.getNano();
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                appendDigits(out, nanos / 1_000_000, 100);
            } else if (nanos % 1_000 == 0) {
                appendDigits(out, nanos / 1_000, 100_000);
            } else {
                appendDigits(out, nanos, 100_000_000);
            }
        }
        out.append('Z');
    }

    /**
     * Appends a value's digits with leading zeros, from the digit worth {@code firstScale} down to
     * the units: {@code appendDigits(out, 45, 100)} appends {@code 045}.
     *
     * @param out where the text goes
     * @param value the value, not negative and below {@code firstScale * 10}
     * @param firstScale the worth of the first digit written: 1, 10, 100, ...
     */
    public static void appendDigits(StringBuilder out, int value, int firstScale) {
        for (int scale = firstScale; scale > 0; scale /= 10) {
            out.append((char) ('0' + value / scale % 10));
        }
    }
}
