package dev.torii.gateway.grpc;

import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.UpstreamTarget;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
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

    private static final Logger log = LoggerFactory.getLogger(LocalUpstreamSelector.class);

    private final UpstreamChannels channels;
    private final RouteRegistry routes;
    private final Duration checkTimeout;
    private final Map<UpstreamTarget, Boolean> serving = new ConcurrentHashMap<>();
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
        if (route.localUpstream().isPresent() && Boolean.TRUE.equals(serving.get(route.localUpstream().get()))) {
            return route.localUpstream().get();
        }
        return route.upstream();
    }

    /**
     * Records that a local target just refused a connection, so calls go to the remote target at
     * once instead of until the next health check.
     *
     * @param local the local target
     */
    public void markDown(UpstreamTarget local) {
        if (Boolean.TRUE.equals(serving.put(local, false))) {
            log.info("local upstream {} does not answer: its routes use their remote target", local);
        }
    }

    /**
     * Tells which local targets answer their health check, for the status page.
     *
     * @return local targets and whether they serve
     */
    public Map<UpstreamTarget, Boolean> localTargets() {
        return Map.copyOf(serving);
    }

    private void checkAll() {
        Set<UpstreamTarget> locals = new LinkedHashSet<>();
        routes.current().services().forEach(s -> s.methods().forEach(m -> m.localUpstream().ifPresent(locals::add)));
        serving.keySet().retainAll(locals);
        for (UpstreamTarget local : locals) {
            io.grpc.ManagedChannel channel = channels.channel(local);
            if (!Boolean.TRUE.equals(serving.get(local))) {
                // A local service comes and goes as the developer restarts it: try to connect now
                // rather than after grpc-java's growing reconnect backoff.
                channel.resetConnectBackoff();
            }
            var answer = HealthGrpc.newFutureStub(channel)
                    .withDeadlineAfter(checkTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            answer.addListener(() -> {
                boolean up;
                try {
                    up = answer.get().getStatus() == HealthCheckResponse.ServingStatus.SERVING;
                } catch (java.util.concurrent.ExecutionException e) {
                    // A server without the health service still answers as a gRPC server.
                    up = io.grpc.Status.fromThrowable(e.getCause()).getCode() == io.grpc.Status.Code.UNIMPLEMENTED;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    up = false;
                }
                Boolean before = serving.put(local, up);
                if (before == null || before != up) {
                    if (up) {
                        log.info("local upstream {} answers: its routes use it", local);
                    } else if (before != null) {
                        log.info("local upstream {} does not answer: its routes use their remote target", local);
                    }
                }
            }, Runnable::run);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
