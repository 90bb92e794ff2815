package dev.torii.gateway.upstream;

import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.UpstreamTarget;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sends a route's calls to its local target while that target answers the standard gRPC health
 * check (SERVING, or UNIMPLEMENTED from a server without the health service), and to its remote
 * target otherwise, so a developer runs only the service being worked on. It reads the
 * {@link UpstreamHealthChecker}'s answers, the same the status page shows; nothing is checked on
 * the request path.
 */
public final class LocalUpstreamSelector {

    /**
     * What the gateway last learned about a local target.
     *
     * @param serving whether it answers, so its routes use it
     * @param reason what it answered, such as {@code answers its health check (SERVING)} or
     *     {@code does not answer its health check: UNAVAILABLE: io exception}
     */
    public record LocalState(boolean serving, String reason) {}

    private final UpstreamHealthChecker health;
    private final RouteRegistry routes;

    /**
     * Creates a selector.
     *
     * @param health the upstreams' last health answers, local targets included
     * @param routes the route table in force (reloads included)
     */
    public LocalUpstreamSelector(UpstreamHealthChecker health, RouteRegistry routes) {
        this.health = health;
        this.routes = routes;
    }

    /**
     * Returns the target a route's call goes to now.
     *
     * @param route the route
     * @return its local target while that answers, its remote (or only) target otherwise
     */
    public UpstreamTarget select(MethodRoute route) {
        if (route.localUpstream().isPresent() && health.serves(route.localUpstream().get())) {
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
        health.markDown(failed);
        return Optional.of(route.upstream());
    }

    /**
     * Tells which local targets answer their health check, and what they answered, for the status
     * page. A target not checked yet is absent, and its routes use their remote target.
     *
     * @return local targets and what the gateway last learned about them
     */
    public Map<UpstreamTarget, LocalState> localTargets() {
        Map<UpstreamTarget, LocalState> states = new LinkedHashMap<>();
        routes.current().services().forEach(s -> s.methods().forEach(m -> m.localUpstream().ifPresent(local ->
                localState(health.health(local)).ifPresent(state -> states.putIfAbsent(local, state)))));
        return Map.copyOf(states);
    }

    private static Optional<LocalState> localState(UpstreamHealthChecker.Health answer) {
        return Optional.ofNullable(switch (answer.state()) {
            case PENDING -> null;
            case SERVING -> new LocalState(true, "answers its health check (SERVING)");
            case NO_HEALTH_SERVICE -> new LocalState(true, "answers (it has no health service)");
            case NOT_SERVING, UNKNOWN -> new LocalState(false, "answers its health check with " + answer.state());
            case DOWN -> new LocalState(false, answer.byCall() ? answer.detail()
                    : "does not answer its health check: " + answer.detail());
        });
    }
}
