package dev.torii.gateway.upstream;

import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.UpstreamTarget;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;

/**
 * Asks every upstream in use whether it serves, in the background, with the standard gRPC health
 * service ({@code grpc.health.v1.Health/Check} for the whole server) over the upstream's shared
 * channel, and keeps the latest answer. The status page, the upstream meters and the
 * {@link LocalUpstreamSelector} all read these answers; nothing waits for a check.
 *
 * <p>Every upstream is checked each {@code interval}; the local targets of local/remote upstreams
 * each {@code localInterval} (usually shorter: a developer expects the gateway to notice a service
 * they just started within a second or two), and a local target that does not serve has its
 * channel's reconnect backoff reset first, since it comes and goes as the developer restarts it.
 */
public final class UpstreamHealthChecker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHealthChecker.class);
    private static final int MAX_DETAIL = 200;
    private static final Duration MAX_LOCAL_TIMEOUT = Duration.ofSeconds(1);
    private static final long MIN_TICK_MILLIS = 50;

    /** What an upstream answered to its last health check. */
    public enum State {
        /** Not checked yet. */
        PENDING,
        /** Answered SERVING. */
        SERVING,
        /** Answered NOT_SERVING. */
        NOT_SERVING,
        /** Answered UNKNOWN or SERVICE_UNKNOWN. */
        UNKNOWN,
        /** Reachable, but it does not implement the health service, so its health is not known. */
        NO_HEALTH_SERVICE,
        /** Unreachable, or failed the check (connection refused, deadline, TLS failure), or a call. */
        DOWN
    }

    /**
     * Holds the last answer of one upstream.
     *
     * @param state what it answered
     * @param detail the gRPC status of a failed check, what a failed call found, or empty
     * @param checkedAt when it answered; empty while pending
     * @param byCall whether a failed call rather than a health check found it down
     */
    public record Health(State state, String detail, Optional<Instant> checkedAt, boolean byCall) {

        static final Health PENDING = new Health(State.PENDING, "", Optional.empty(), false);

        /**
         * Tells whether calls may go to the upstream: it answered SERVING, or it answers as a gRPC
         * server without the health service.
         *
         * @return whether it serves
         */
        public boolean serving() {
            return state == State.SERVING || state == State.NO_HEALTH_SERVICE;
        }
    }

    private final UpstreamChannels channels;
    private final RouteRegistry routes;
    private final Duration interval;
    private final Duration timeout;
    private final Duration localInterval;
    private final Duration localTimeout;
    private final Clock clock;
    private final Map<UpstreamTarget, Health> results = new ConcurrentHashMap<>();
    // Touched by the scheduled round only, one round at a time.
    private final Map<UpstreamTarget, Long> nextDue = new HashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> rounds;

    /**
     * Starts checking.
     *
     * @param channels the upstream channels, which checks share with requests
     * @param routes the routes in force (read again before each round, so reloads count)
     * @param interval how often each upstream is checked
     * @param timeout the longest one check may take
     * @param localInterval how often each local target of a local/remote upstream is checked
     * @param scheduler runs the rounds; each round only sends checks, it never waits for one
     * @param clock stamps the answers
     */
    public UpstreamHealthChecker(UpstreamChannels channels, RouteRegistry routes, Duration interval,
            Duration timeout, Duration localInterval, TaskScheduler scheduler, Clock clock) {
        this.channels = channels;
        this.routes = routes;
        this.interval = interval;
        this.timeout = timeout;
        this.localInterval = localInterval;
        this.localTimeout = localInterval.compareTo(MAX_LOCAL_TIMEOUT) < 0 ? localInterval : MAX_LOCAL_TIMEOUT;
        this.clock = clock;
        // One schedule for both intervals: a round every common divisor of the two, in which each
        // upstream whose own interval has passed is checked (5s and 2s: a round a second).
        long tick = Math.max(MIN_TICK_MILLIS, gcd(interval.toMillis(), localInterval.toMillis()));
        this.rounds = scheduler.scheduleWithFixedDelay(this::round, Duration.ofMillis(tick));
    }

    /**
     * Returns the last answer of an upstream.
     *
     * @param target the upstream
     * @return its health; {@link State#PENDING} when it has not answered yet
     */
    public Health health(UpstreamTarget target) {
        return results.getOrDefault(target, Health.PENDING);
    }

    /**
     * Tells whether calls may go to an upstream now, by its last answer.
     *
     * @param target the upstream
     * @return true when it last answered SERVING or has no health service; false when it has not
     *     answered yet
     */
    public boolean serves(UpstreamTarget target) {
        return health(target).serving();
    }

    /**
     * Records at once that a call could not reach an upstream, so readers of its health stop
     * sending calls there before the next check.
     *
     * @param target the upstream
     */
    public void markDown(UpstreamTarget target) {
        record(target, new Health(State.DOWN, "could not be reached by a call", Optional.of(clock.instant()), true),
                localTargets(routes.current()).contains(target));
    }

    /**
     * Returns the upstreams checked now (the upstreams of the routes in force).
     *
     * @return the targets
     */
    public Set<UpstreamTarget> targets() {
        return routes.current().upstreams();
    }

    /**
     * Runs a task after each round of checks has been sent, for meters that follow the set of
     * upstreams.
     *
     * @param listener the task; it must be quick and must not throw
     */
    public void afterEachRound(Runnable listener) {
        listeners.add(listener);
    }

    private void round() {
        try {
            RouteTable table = routes.current();
            Set<UpstreamTarget> current = table.upstreams();
            Set<UpstreamTarget> locals = localTargets(table);
            results.keySet().retainAll(current);
            nextDue.keySet().retainAll(current);
            long now = System.nanoTime();
            for (UpstreamTarget target : current) {
                boolean local = locals.contains(target);
                Long due = nextDue.get(target);
                if (due == null || due - now <= 0) {
                    nextDue.put(target, now + (local ? localInterval : interval).toNanos());
                    channels.existing(target).ifPresent(channel -> check(target, channel, local));
                }
            }
            listeners.forEach(Runnable::run);
        } catch (RuntimeException e) {
            // A failed round must not cancel the schedule; the next one tries again.
            log.warn("upstream health checks failed: {}", e.toString());
        }
    }

    private static Set<UpstreamTarget> localTargets(RouteTable table) {
        Set<UpstreamTarget> locals = new LinkedHashSet<>();
        table.services().forEach(s -> s.methods().forEach(m -> m.localUpstream().ifPresent(locals::add)));
        return locals;
    }

    private void check(UpstreamTarget target, ManagedChannel channel, boolean local) {
        if (local && !serves(target)) {
            // Try to connect now rather than after grpc-java's growing reconnect backoff.
            channel.resetConnectBackoff();
        }
        HealthGrpc.newStub(channel)
                .withDeadlineAfter((local ? localTimeout : timeout).toNanos(), TimeUnit.NANOSECONDS)
                .check(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(HealthCheckResponse response) {
                        State state = switch (response.getStatus()) {
                            case SERVING -> State.SERVING;
                            case NOT_SERVING -> State.NOT_SERVING;
                            default -> State.UNKNOWN;
                        };
                        record(target, new Health(state, "", Optional.of(clock.instant()), false), local);
                    }

                    @Override
                    public void onError(Throwable error) {
                        Status status = Status.fromThrowable(error);
                        // A server without the health service still answers as a gRPC server.
                        State state = status.getCode() == Status.Code.UNIMPLEMENTED ? State.NO_HEALTH_SERVICE
                                : State.DOWN;
                        record(target, new Health(state, describe(status), Optional.of(clock.instant()), false),
                                local);
                    }

                    @Override
                    public void onCompleted() {}
                });
    }

    private void record(UpstreamTarget target, Health health, boolean local) {
        // A late answer for an upstream dropped by a reload must not bring it back.
        if (!routes.current().upstreams().contains(target)) {
            return;
        }
        Health previous = results.put(target, health);
        if (previous != null && previous.state() != health.state()) {
            log.info("upstream {} is now {}{}", target, health.state(),
                    health.detail().isEmpty() ? "" : " (" + health.detail() + ")");
        }
        boolean before = previous != null && previous.serving();
        if (local && health.serving() && !before) {
            log.info("local upstream {} answers: its routes use it", target);
        } else if (local && !health.serving() && before) {
            log.info("local upstream {} does not answer: its routes use their remote target", target);
        }
    }

    private static String describe(Status status) {
        String text = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "…" : text;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Stops checking; checks already sent may still be recorded.
     */
    @Override
    public void close() {
        rounds.cancel(false);
    }
}
