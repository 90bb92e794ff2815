package dev.torii.gateway.upstream;

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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every upstream in use whether it serves, in the background, with the standard gRPC health
 * service ({@code grpc.health.v1.Health/Check} for the whole server) over the upstream's shared
 * channel, and keeps the latest answer for the status page. Nothing waits for a check: a page
 * view reads the last answer.
 */
public final class UpstreamHealthChecker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHealthChecker.class);
    private static final int MAX_DETAIL = 200;

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
        /** Unreachable, or failed the check (connection refused, deadline, TLS failure). */
        DOWN
    }

    /**
     * Holds the last answer of one upstream.
     *
     * @param state what it answered
     * @param detail the gRPC status of a failed check, or empty
     * @param checkedAt when it answered; empty while pending
     */
    public record Health(State state, String detail, Optional<Instant> checkedAt) {

        static final Health PENDING = new Health(State.PENDING, "", Optional.empty());
    }

    private final UpstreamChannels channels;
    private final Supplier<Set<UpstreamTarget>> targets;
    private final Duration timeout;
    private final Clock clock;
    private final Map<UpstreamTarget, Health> results = new ConcurrentHashMap<>();
    private final java.util.List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "torii-upstream-health");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Starts checking.
     *
     * @param channels the upstream channels, which checks share with requests
     * @param targets the upstreams in use now (read again before each round, so reloads count)
     * @param interval how often each upstream is checked
     * @param timeout the longest one check may take
     * @param clock stamps the answers
     */
    public UpstreamHealthChecker(UpstreamChannels channels, Supplier<Set<UpstreamTarget>> targets,
            Duration interval, Duration timeout, Clock clock) {
        this.channels = channels;
        this.targets = targets;
        this.timeout = timeout;
        this.clock = clock;
        timer.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
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
     * Returns the upstreams checked now (the upstreams of the routes in force).
     *
     * @return the targets
     */
    public Set<UpstreamTarget> targets() {
        return targets.get();
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

    private void checkAll() {
        try {
            Set<UpstreamTarget> current = targets.get();
            results.keySet().retainAll(current);
            for (UpstreamTarget target : current) {
                channels.existing(target).ifPresent(channel -> check(target, channel));
            }
            listeners.forEach(Runnable::run);
        } catch (RuntimeException e) {
            // A failed round must not cancel the schedule; the next one tries again.
            log.warn("upstream health checks failed: {}", e.toString());
        }
    }

    private void check(UpstreamTarget target, ManagedChannel channel) {
        HealthGrpc.newStub(channel)
                .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .check(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(HealthCheckResponse response) {
                        State state = switch (response.getStatus()) {
                            case SERVING -> State.SERVING;
                            case NOT_SERVING -> State.NOT_SERVING;
                            default -> State.UNKNOWN;
                        };
                        record(target, new Health(state, "", Optional.of(clock.instant())));
                    }

                    @Override
                    public void onError(Throwable error) {
                        Status status = Status.fromThrowable(error);
                        State state = status.getCode() == Status.Code.UNIMPLEMENTED ? State.NO_HEALTH_SERVICE
                                : State.DOWN;
                        record(target, new Health(state, describe(status), Optional.of(clock.instant())));
                    }

                    @Override
                    public void onCompleted() {}
                });
    }

    private void record(UpstreamTarget target, Health health) {
        // A late answer for an upstream dropped by a reload must not bring it back.
        if (targets.get().contains(target)) {
            Health previous = results.put(target, health);
            if (previous != null && previous.state() != health.state()) {
                log.info("upstream {} is now {}{}", target, health.state(),
                        health.detail().isEmpty() ? "" : " (" + health.detail() + ")");
            }
        }
    }

    private static String describe(Status status) {
        String text = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "…" : text;
    }

    /**
     * Stops checking.
     */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
