package dev.torii.gateway.route;

import java.time.Duration;

/**
 * Writes durations the way route files write them, for messages, the status page and its JSON.
 */
public final class RouteDurations {

    private RouteDurations() {}

    /**
     * Writes a duration the way route files do: {@code 1h}, {@code 2m}, {@code 5s}, {@code 250ms}.
     *
     * @param duration the duration
     * @return its route-file form
     */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis > 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis > 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis > 0 && millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
