package dev.torii.gateway.observe;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Records the gateway's own meters, named {@code torii.gateway.*} (Prometheus:
 * {@code torii_gateway_*}). Every label comes from a bounded set: route paths and upstream targets
 * from the route files, HTTP statuses, gRPC codes and fixed words; never a user, a credential or a
 * raw request path (requests on no route count under {@link #UNMATCHED}).
 *
 * <p>Meters are looked up once per label combination and kept, so recording costs a hash lookup
 * and a histogram update, not a registration.
 */
public final class GatewayMetrics {

    /** The route label of requests whose path matched no route. */
    public static final String UNMATCHED = "unmatched";
    /** The upstream label of requests that never reached one. */
    public static final String NONE = "none";

    // Fixed latency buckets (Prometheus' classic set, from 1 ms to 30 s): a dozen series per label
    // set instead of the ~70 of Micrometer's percentile histogram, so many routes stay affordable.
    private static final Duration[] BUCKETS = Stream.of(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    // Streams live from seconds to hours.
    private static final Duration[] STREAM_BUCKETS = Stream.of(1, 10, 60, 300, 900, 3600)
            .map(Duration::ofSeconds).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final GatewayMetrics warmUp;
    private final Map<RequestKey, Timer> requests = new ConcurrentHashMap<>();
    private final Map<UpstreamKey, Timer> upstreamCalls = new ConcurrentHashMap<>();
    private final Map<Status.Code, Timer> authorityExchanges = new ConcurrentHashMap<>();
    private final Map<RateLimitKey, Counter> rateLimitDecisions = new ConcurrentHashMap<>();

    private final Map<UpstreamKey, Timer> streams = new ConcurrentHashMap<>();
    private final Map<String, Counter> streamMessages = new ConcurrentHashMap<>();

    private record RequestKey(String route, String upstream, int status, Status.Code code) {}

    private record UpstreamKey(String route, String upstream, Status.Code code) {}

    private record RateLimitKey(String route, boolean allowed, String store) {}

    /**
     * Creates the recorder; the gateway's warm-up calls record into the registry's own.
     *
     * @param registry where the meters go
     */
    public GatewayMetrics(MeterRegistry registry) {
        this(registry, registry);
    }

    /**
     * Creates the recorder, with a registry of its own for the gateway's warm-up calls.
     *
     * @param registry where the meters of clients' requests go
     * @param warmUpRegistry where the meters of warm-up calls go: a registry of the same kind that
     *     nothing reads, so the warm-up compiles the very code clients' requests run and no meter
     *     of it is ever scraped
     */
    public GatewayMetrics(MeterRegistry registry, MeterRegistry warmUpRegistry) {
        this.registry = registry;
        this.warmUp = warmUpRegistry == registry ? this : new GatewayMetrics(warmUpRegistry);
    }

    /**
     * Returns the recorder for one call: this one, or the warm-up's.
     *
     * @param warmUpCall whether the call is one of the gateway's own warm-up calls
     * @return the recorder its meters go to
     */
    public GatewayMetrics of(boolean warmUpCall) {
        return warmUpCall ? warmUp : this;
    }

    /**
     * Records one answered request.
     *
     * @param route the route's path, or {@link #UNMATCHED}
     * @param upstream the upstream's target, or {@link #NONE}
     * @param status the HTTP status answered
     * @param code the gRPC code answered
     * @param nanos from arrival to the end of the answer
     */
    public void request(String route, String upstream, int status, Status.Code code, long nanos) {
        requests.computeIfAbsent(new RequestKey(route, upstream, status, code), key -> Timer
                        .builder("torii.gateway.requests")
                        .description("Requests answered by the gateway, from arrival to the end of the answer")
                        .tag("route", key.route()).tag("upstream", key.upstream())
                        .tag("status", Integer.toString(key.status())).tag("grpc_code", key.code().name())
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records one server stream answered to a client, when it ends: its duration by how it ended
     * and the messages it carried.
     *
     * @param route the route's path
     * @param upstream the upstream's target
     * @param code the gRPC code the stream ended with ({@code CANCELLED} when the client went away)
     * @param messages the messages written to the client
     * @param nanos from arrival to the end of the stream
     */
    public void stream(String route, String upstream, Status.Code code, long messages, long nanos) {
        streams.computeIfAbsent(new UpstreamKey(route, upstream, code), key -> Timer
                        .builder("torii.gateway.streams")
                        .description("Server streams answered by the gateway, from arrival to the stream's end")
                        .tag("route", key.route()).tag("upstream", key.upstream()).tag("grpc_code", key.code().name())
                        .serviceLevelObjectives(STREAM_BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        streamMessages.computeIfAbsent(route, key -> Counter.builder("torii.gateway.stream.messages")
                        .description("Messages written to clients of server streams")
                        .tag("route", key)
                        .register(registry))
                .increment(messages);
    }

    /**
     * Records one call to an upstream (every attempt, retries included).
     *
     * @param route the route's path
     * @param upstream the target called
     * @param code the gRPC code the call ended with ({@code CANCELLED} when the client went away)
     * @param nanos the call's duration
     */
    public void upstreamCall(String route, String upstream, Status.Code code, long nanos) {
        upstreamCalls.computeIfAbsent(new UpstreamKey(route, upstream, code), key -> Timer
                        .builder("torii.gateway.upstream.calls")
                        .description("gRPC calls to upstreams, each attempt counted")
                        .tag("route", key.route()).tag("upstream", key.upstream()).tag("grpc_code", key.code().name())
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records one {@code ExchangeToken} call to the Authority (a private-token cache miss).
     *
     * @param code the gRPC code it ended with
     * @param nanos its duration
     */
    public void authorityExchange(Status.Code code, long nanos) {
        authorityExchanges.computeIfAbsent(code, key -> Timer.builder("torii.gateway.authority.exchange")
                        .description("ExchangeToken calls to the Authority")
                        .tag("grpc_code", key.name())
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records one rate-limit decision.
     *
     * @param route the route's path
     * @param allowed whether the request was let through
     * @param store where the bucket is kept: {@code redis} or {@code local}
     */
    public void rateLimit(String route, boolean allowed, String store) {
        rateLimitDecisions.computeIfAbsent(new RateLimitKey(route, allowed, store), key -> Counter
                        .builder("torii.gateway.ratelimit.decisions")
                        .description("Rate-limit decisions on limited routes")
                        .tag("route", key.route()).tag("decision", key.allowed() ? "allowed" : "refused")
                        .tag("store", key.store())
                        .register(registry))
                .increment();
    }
}
