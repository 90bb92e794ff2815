package dev.torii.gateway.upstream;

import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.UpstreamTarget;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a route's calls to its local target while that target answers the standard gRPC health
 * check (SERVING, or UNIMPLEMENTED from a server without the health service), and to its remote
 * target otherwise, so a developer runs only the service being worked
 * on. Checks run in the background every few seconds, never on the request path.
 */
public final class LocalUpstreamSelector implements AutoCloseable {

    /**
     * What the gateway last learned about a local target.
     *
     * @param serving whether it answers, so its routes use it
     * @param reason what it answered, such as {@code answers its health check (SERVING)} or
     *     {@code does not answer its health check: UNAVAILABLE: io exception}
     */
    public record LocalState(boolean serving, String reason) {}

    private static final int MAX_REASON = 200;

    private static final Logger log = LoggerFactory.getLogger(LocalUpstreamSelector.class);

    private final UpstreamChannels channels;
    private final RouteRegistry routes;
    private final Duration checkTimeout;
    private final Map<UpstreamTarget, LocalState> serving = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    /**
     * Starts checking the local targets of the routes in force.
     *
     * @param channels the upstream channels, which the checks reuse
     * @param routes the route table in force (reloads included)
     * @param interval how often each local target is checked
     */
    public LocalUpstreamSelector(UpstreamChannels channels, RouteRegistry routes, Duration interval) {
        this.channels = channels;
        this.routes = routes;
        this.checkTimeout = interval.compareTo(Duration.ofSeconds(1)) < 0 ? interval : Duration.ofSeconds(1);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "local-upstream-health");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Returns the target a route's call goes to now.
     *
     * @param route the route
     * @return its local target while that answers, its remote (or only) target otherwise
     */
    public UpstreamTarget select(MethodRoute route) {
        if (route.localUpstream().isPresent() && serves(serving.get(route.localUpstream().get()))) {
            return route.localUpstream().get();
        }
        return route.upstream();
    }

    /**
     * Fails over from a target that could not be reached: when it is the route's local target,
     * records it as down, so calls go to the remote target at once instead of after the next
     * health check, and returns the remote target to try now.
     *
     * @param route the route
     * @param failed the target that could not be reached
     * @return the remote target, or empty when {@code failed} is not the route's local target
     */
    public Optional<UpstreamTarget> failover(MethodRoute route, UpstreamTarget failed) {
        if (route.localUpstream().isEmpty() || !failed.equals(route.localUpstream().get())) {
            return Optional.empty();
        }
        markDown(failed);
        return Optional.of(route.upstream());
    }

    private void markDown(UpstreamTarget local) {
        if (serves(serving.put(local, new LocalState(false, "could not be reached by a call")))) {
            log.info("local upstream {} does not answer: its routes use their remote target", local);
        }
    }

    /**
     * Tells which local targets answer their health check, and what they answered, for the status
     * page. A target not checked yet is absent, and its routes use their remote target.
     *
     * @return local targets and what the gateway last learned about them
     */
    public Map<UpstreamTarget, LocalState> localTargets() {
        return Map.copyOf(serving);
    }

    private static boolean serves(LocalState state) {
        return state != null && state.serving();
    }

    private void checkAll() {
        Set<UpstreamTarget> locals = new LinkedHashSet<>();
        routes.current().services().forEach(s -> s.methods().forEach(m -> m.localUpstream().ifPresent(locals::add)));
        serving.keySet().retainAll(locals);
        for (UpstreamTarget local : locals) {
            io.grpc.ManagedChannel channel = channels.channel(local);
            if (!serves(serving.get(local))) {
                // A local service comes and goes as the developer restarts it: try to connect now
                // rather than after grpc-java's growing reconnect backoff.
                channel.resetConnectBackoff();
            }
            var answer = HealthGrpc.newFutureStub(channel)
                    .withDeadlineAfter(checkTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            answer.addListener(() -> {
                LocalState state;
                try {
                    HealthCheckResponse.ServingStatus status = answer.get().getStatus();
                    state = status == HealthCheckResponse.ServingStatus.SERVING
                            ? new LocalState(true, "answers its health check (SERVING)")
                            : new LocalState(false, "answers its health check with " + status);
                } catch (java.util.concurrent.ExecutionException e) {
                    io.grpc.Status status = io.grpc.Status.fromThrowable(e.getCause());
                    // A server without the health service still answers as a gRPC server.
                    state = status.getCode() == io.grpc.Status.Code.UNIMPLEMENTED
                            ? new LocalState(true, "answers (it has no health service)")
                            : new LocalState(false, "does not answer its health check: " + describe(status));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    state = new LocalState(false, "health check interrupted");
                }
                boolean before = serves(serving.put(local, state));
                if (state.serving() && !before) {
                    log.info("local upstream {} answers: its routes use it", local);
                } else if (!state.serving() && before) {
                    log.info("local upstream {} does not answer: its routes use their remote target", local);
                }
            }, Runnable::run);
        }
    }

    private static String describe(io.grpc.Status status) {
        String text = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "…" : text;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
