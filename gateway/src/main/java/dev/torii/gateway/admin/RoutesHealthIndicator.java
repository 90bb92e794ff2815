package dev.torii.gateway.admin;

import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.ServiceRoutes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports whether the gateway can route: UP once a route table is in force and every upstream
 * it names has a channel, DOWN before that and once the channels are closing at shutdown. It is
 * part of the readiness group, never of liveness: restarting a gateway fixes none of this.
 *
 * <p>What it deliberately ignores: an upstream that does not answer, and a reload that was
 * refused. With an upstream down the gateway still serves every other route and answers that
 * upstream's routes with 503 in the error envelope; taking the whole gateway out of its load
 * balancer would turn one broken backend into an outage of all of them. A refused reload leaves
 * the previous set in force, which is still a good set. Both show in the details and on the
 * status page ({@code /actuator/torii}).
 */
public final class RoutesHealthIndicator implements HealthIndicator {

    static final String UPSTREAMS_NOTE = "an unreachable upstream does not make the gateway unready: its routes"
            + " answer 503 in the error envelope and every other route keeps serving (upstream health:"
            + " /actuator/torii)";
    static final String REJECTED_NOTE = "the last reload was rejected; the set loaded before stays in force,"
            + " so the gateway stays ready (problems: /actuator/torii)";

    private final RouteRegistry routes;
    private final UpstreamChannels channels;
    private final ReloadStatus reloads;

    /**
     * Creates the indicator.
     *
     * @param routes the route table in force
     * @param channels the upstream channels
     * @param reloads how route loading went
     */
    public RoutesHealthIndicator(RouteRegistry routes, UpstreamChannels channels, ReloadStatus reloads) {
        this.routes = routes;
        this.channels = channels;
        this.reloads = reloads;
    }

    /**
     * Tells whether the routes in force can be served, with what is in force and how the last
     * reload went.
     *
     * @return UP when routes are loaded and channels open, DOWN otherwise
     */
    @Override
    public Health health() {
        if (channels.isClosed()) {
            return Health.down().withDetail("reason", "upstream channels are closed: the gateway is shutting down")
                    .build();
        }
        ReloadStatus.Snapshot snapshot;
        try {
            snapshot = reloads.snapshot();
        } catch (IllegalStateException e) {
            return Health.down().withDetail("reason", "no route set has been loaded yet").build();
        }
        RouteTable table = routes.current();
        // Counts, not addresses: with no separate management port, probes answer on the public one.
        long withoutChannel = table.upstreams().stream().filter(t -> channels.state(t).isEmpty()).count();
        if (withoutChannel > 0) {
            return Health.down().withDetail("reason", "no channel yet for " + withoutChannel + " of "
                    + table.upstreams().size() + " upstream(s)").build();
        }
        Map<String, Integer> channelStates = new TreeMap<>();
        table.upstreams().forEach(t -> channels.state(t).ifPresent(s -> channelStates.merge(s.name(), 1, Integer::sum)));
        Health.Builder health = Health.up()
                .withDetail("methods", table.size())
                .withDetail("services", table.services().stream().map(ServiceRoutes::serviceName).toList())
                .withDetail("upstreams", table.upstreams().size())
                .withDetail("channelStates", channelStates)
                .withDetail("inForceSince", time(snapshot.inForce().at()))
                .withDetail("inForceDigest", snapshot.inForce().digest())
                .withDetail("lastReload", lastReload(snapshot.last()))
                .withDetail("reloadsSucceeded", snapshot.succeeded())
                .withDetail("reloadsRejected", snapshot.failed())
                .withDetail("upstreamsNote", UPSTREAMS_NOTE);
        if (snapshot.last().outcome() == ReloadStatus.Outcome.REJECTED) {
            health.withDetail("reloadNote", REJECTED_NOTE);
        }
        return health.build();
    }

    private static Map<String, Object> lastReload(ReloadStatus.Attempt attempt) {
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("result", attempt.outcome().name().toLowerCase(Locale.ROOT));
        last.put("at", time(attempt.at()));
        last.put("digest", attempt.digest());
        last.put("problems", attempt.problems().size());
        return last;
    }

    // Milliseconds are as precise as anyone reading a probe needs.
    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
