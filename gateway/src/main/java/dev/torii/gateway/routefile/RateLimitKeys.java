package dev.torii.gateway.routefile;

import dev.torii.gateway.route.TrafficPolicy;
import java.util.regex.Pattern;

/**
 * Reads the {@code key} of a rate limit as written in route files.
 */
final class RateLimitKeys {

    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private RateLimitKeys() {}

    /**
     * Parses a key.
     *
     * @param text for example {@code principal}, {@code clientIp}, {@code header:X-Api-Key}
     * @return the key, or null when the text names none
     */
    static TrafficPolicy.RateLimitKey parse(String text) {
        return switch (text) {
            case "principal" -> new TrafficPolicy.RateLimitKey(TrafficPolicy.RateLimitKey.Kind.PRINCIPAL, "");
            case "user" -> new TrafficPolicy.RateLimitKey(TrafficPolicy.RateLimitKey.Kind.USER, "");
            case "serviceAccount" -> new TrafficPolicy.RateLimitKey(TrafficPolicy.RateLimitKey.Kind.SERVICE_ACCOUNT, "");
            case "clientIp" -> new TrafficPolicy.RateLimitKey(TrafficPolicy.RateLimitKey.Kind.CLIENT_IP, "");
            case "route" -> new TrafficPolicy.RateLimitKey(TrafficPolicy.RateLimitKey.Kind.ROUTE, "");
            default -> {
                if (text.startsWith("header:") && HEADER_NAME.matcher(text.substring(7)).matches()) {
                    yield new TrafficPolicy.RateLimitKey(TrafficPolicy.RateLimitKey.Kind.HEADER,
                            text.substring(7).toLowerCase(java.util.Locale.ROOT));
                }
                yield null;
            }
        };
    }
}
