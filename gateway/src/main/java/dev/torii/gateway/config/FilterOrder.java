package dev.torii.gateway.config;

/**
 * Orders the gateway's steps in one place. Each step is a Spring Cloud Gateway filter with one
 * job; lower runs first (outermost).
 *
 * <ol>
 *   <li>{@link #REQUEST_ID}: first, so every answer, error or not, carries {@code x-request-id}
 *       and the deadline clock starts when the request arrives.</li>
 *   <li>{@link #TELEMETRY}: right after, so the request's span, metrics and access-log line cover
 *       every later step and every answer, errors included.</li>
 *   <li>{@link #STRIP_EDGE_HEADERS}: before anything reads the request, so no step can see an
 *       identity header a client made up.</li>
 *   <li>{@link #ERROR_ENVELOPE}: wraps every later step, so any failure becomes the one envelope.</li>
 *   <li>{@link #ROUTE_MATCH}: before anything costly, an unknown path answers 404 at once.</li>
 *   <li>{@link #DEADLINE}: fixes the absolute deadline right after the route is known, so time
 *       spent reading the body, authenticating and rate limiting counts against it.</li>
 *   <li>{@link #AUTHENTICATE}: before the body is read, so an unauthenticated client cannot make
 *       the gateway read or transcode megabytes; it spends from the deadline.</li>
 *   <li>{@link #RATE_LIMIT}: after authentication, whose principal is the natural key; before the
 *       body is read, so a refused request costs next to nothing.</li>
 *   <li>{@link #DECODE}: checks Content-Type and size, reads the body, transcodes JSON.</li>
 *   <li>{@link #UPSTREAM_CALL}: last; calls the backend (through its concurrency limit, circuit
 *       breaker and retries) and writes the answer.</li>
 * </ol>
 */
public final class FilterOrder {

    /** Assigns or accepts the request id; starts the request clock. */
    public static final int REQUEST_ID = -10_000;
    /** Opens the request's span; records its metrics and access-log line when it is answered. */
    public static final int TELEMETRY = -9_800;
    /** Removes client-supplied identity headers. */
    public static final int STRIP_EDGE_HEADERS = -9_500;
    /** Turns failures into the error envelope. */
    public static final int ERROR_ENVELOPE = -9_000;
    /** Finds the route of the request path. */
    public static final int ROUTE_MATCH = -8_000;
    /** Computes the upstream deadline. */
    public static final int DEADLINE = -7_000;
    /** Exchanges the credential and checks the route's policy. */
    public static final int AUTHENTICATE = -6_500;
    /** Takes a token from the route's rate-limit bucket. */
    public static final int RATE_LIMIT = -6_200;
    /** Reads and decodes the request body. */
    public static final int DECODE = -6_000;
    /** Calls the upstream and writes the response. */
    public static final int UPSTREAM_CALL = -1_000;

    private FilterOrder() {}
}
