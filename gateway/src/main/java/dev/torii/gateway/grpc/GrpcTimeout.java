package dev.torii.gateway.grpc;

import java.util.concurrent.TimeUnit;

/**
 * Reads the {@code grpc-timeout} header of the gRPC HTTP/2 protocol: 1 to 8 digits followed by a
 * unit, {@code H} (hours), {@code M} (minutes), {@code S} (seconds), {@code m} (milliseconds),
 * {@code u} (microseconds) or {@code n} (nanoseconds).
 */
public final class GrpcTimeout {

    /** The header name. */
    public static final String HEADER = "grpc-timeout";

    private GrpcTimeout() {}

    /**
     * Parses a header value.
     *
     * @param value the header value
     * @return the timeout in nanoseconds, saturated at {@link Long#MAX_VALUE}
     * @throws IllegalArgumentException when the value does not follow the protocol
     */
    public static long parseNanos(String value) {
        int length = value.length();
        if (length < 2 || length > 9) {
            throw invalid(value);
        }
        long amount = 0;
        for (int i = 0; i < length - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw invalid(value);
            }
            amount = amount * 10 + (c - '0');
        }
        TimeUnit unit = switch (value.charAt(length - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> throw invalid(value);
        };
        return unit.toNanos(amount);
    }

    private static IllegalArgumentException invalid(String value) {
        String shown = value.length() > 20 ? value.substring(0, 20) + "..." : value;
        return new IllegalArgumentException(HEADER + ": '" + shown
                + "' (expected: 1 to 8 digits and a unit H, M, S, m, u or n, such as 500m)");
    }

    /**
     * Describes a timeout for messages, such as {@code 5s} or {@code 250ms}.
     *
     * @param nanos the timeout
     * @return a short text
     */
    public static String describe(long nanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        return millis % 1000 == 0 && millis > 0 ? millis / 1000 + "s" : millis > 0 ? millis + "ms" : nanos + "ns";
    }
}
