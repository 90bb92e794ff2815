package dev.torii.gateway.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells which web pages on other origins may call a route file's methods from a browser (CORS),
 * and what their scripts may send and read. The headers Connect, gRPC-Web and the gateway itself
 * need are allowed and exposed on top of the lists here, so a route file names only its own.
 *
 * @param allowedOrigins origins that may call: exact ({@code https://app.example.com}), with a
 *     wildcard for the leftmost labels ({@code https://*.example.com}) or the port
 *     ({@code http://localhost:*}), or {@code *} for any; none turns CORS off
 * @param allowedMethods HTTP methods a preflight may ask for
 * @param allowedHeaders request headers a page may send, besides the built-in ones, or {@code *}
 * @param exposedHeaders response headers a page may read, besides the built-in ones
 * @param allowCredentials whether the browser may send cookies and TLS client certificates and
 *     let the page read the answer; never with {@code *} origins
 * @param maxAge how long a browser may reuse a preflight's answer
 */
public record CorsPolicy(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
        List<String> exposedHeaders, boolean allowCredentials, Duration maxAge) {

    // Before NONE, which the constructor checks with them.
    private static final Pattern ORIGIN = Pattern.compile(
            "[a-z][a-z0-9+.-]*://(\\*\\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?"
                    + "(:([0-9]{1,5}|\\*))?|[a-z][a-z0-9+.-]*://\\[[0-9a-f:.]+\\](:([0-9]{1,5}|\\*))?");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    /** The methods a preflight may ask for when a policy names none: POST, Connect's GET form and the REST verbs. */
    public static final List<String> DEFAULT_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

    /** How long a preflight's answer lasts when a policy says nothing. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(30);

    /** The longest preflight cache allowed; browsers cap it lower (Chromium: 2 hours). */
    public static final Duration MAX_MAX_AGE = Duration.ofHours(24);

    /** No other origin may call. */
    public static final CorsPolicy NONE = new CorsPolicy(List.of(), DEFAULT_METHODS, List.of(), List.of(), false,
            DEFAULT_MAX_AGE);

    /**
     * Request headers every policy allows: the credential, the content type, the protocols' own
     * headers (Connect, gRPC-Web) and trace context, as connect-es and grpc-web send them.
     */
    public static final List<String> BUILT_IN_ALLOWED_HEADERS = List.of(
            "authorization", "content-type", "accept-encoding", "x-request-id",
            "connect-protocol-version", "connect-timeout-ms", "connect-accept-encoding", "connect-content-encoding",
            "x-grpc-web", "x-user-agent", "grpc-timeout", "grpc-accept-encoding", "grpc-encoding",
            "traceparent", "tracestate");

    /**
     * Response headers every policy exposes: the gRPC status trailers gRPC-Web and Connect carry in
     * headers, Connect's encodings, the request id, and the rate-limit and retry headers.
     */
    public static final List<String> BUILT_IN_EXPOSED_HEADERS = List.of(
            "grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding",
            "connect-content-encoding", "connect-accept-encoding", "content-encoding", "x-request-id",
            "retry-after", "ratelimit", "ratelimit-policy", "ratelimit-limit", "ratelimit-remaining",
            "ratelimit-reset");

    /**
     * Checks and normalises the values: origins and header names to lower case, methods to upper
     * case.
     *
     * @throws IllegalArgumentException naming the first field that is wrong and what was expected
     */
    public CorsPolicy {
        allowedOrigins = normalised(allowedOrigins, "allowedOrigins", false, CorsPolicy::checkOrigin);
        allowedMethods = normalised(allowedMethods, "allowedMethods", true, CorsPolicy::checkToken);
        allowedHeaders = normalised(allowedHeaders, "allowedHeaders", false, CorsPolicy::checkToken);
        exposedHeaders = normalised(exposedHeaders, "exposedHeaders", false, CorsPolicy::checkToken);
        if (allowCredentials && allowedOrigins.contains("*")) {
            throw new IllegalArgumentException("allowCredentials: true with allowedOrigins '*' (expected: the"
                    + " origins listed, or patterns such as https://*.example.com; browsers refuse credentials"
                    + " for any origin)");
        }
        if (maxAge == null || maxAge.isNegative() || maxAge.compareTo(MAX_MAX_AGE) > 0) {
            throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: between 0s and 24h)");
        }
    }

    /**
     * Tells whether any other origin may call.
     *
     * @return false when no origin is allowed
     */
    public boolean enabled() {
        return !allowedOrigins.isEmpty();
    }

    private interface Check {
        String problem(String value);
    }

    private static List<String> normalised(List<String> values, String field, boolean upper, Check check) {
        if (values == null) {
            throw new IllegalArgumentException(field + ": missing (expected: a list)");
        }
        List<String> result = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i) == null ? "" : values.get(i).trim();
            value = upper ? value.toUpperCase(Locale.ROOT) : value.toLowerCase(Locale.ROOT);
            String problem = check.problem(value);
            if (problem != null) {
                throw new IllegalArgumentException(field + "[" + i + "]: '" + values.get(i) + "' (expected: "
                        + problem + ")");
            }
            if (!result.contains(value)) {
                result.add(value);
            }
        }
        return List.copyOf(result);
    }

    private static String checkOrigin(String origin) {
        if (origin.equals("*") || ORIGIN.matcher(origin).matches()) {
            return null;
        }
        return "an origin such as https://app.example.com or http://localhost:5173, without a path;"
                + " https://*.example.com for its subdomains, http://localhost:* for any port, or *";
    }

    private static String checkToken(String name) {
        return TOKEN.matcher(name).matches() ? null : "a header or method name, or *";
    }
}
