package dev.torii.gateway.admin;

import dev.torii.gateway.upstream.LocalUpstreamSelector;
import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.upstream.UpstreamHealthChecker;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.ServiceRoutes;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.traffic.UpstreamGuards;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.http.MediaType;

/**
 * Serves the gateway's status on the management port: {@code /actuator/torii} is an HTML page
 * for people, {@code /actuator/torii/json} the same report as read-only JSON. It lists every
 * route, every upstream with its health, channel state, circuit breaker, concurrency limit and,
 * for local/remote upstreams, the target in use, and how the last route reload went.
 *
 * <p>A page view only reads what background tasks and calls keep up to date (health checks,
 * breakers, reload status); it never calls an upstream.
 */
@WebEndpoint(id = "torii", defaultAccess = Access.READ_ONLY)
public final class RouteStatusEndpoint {

    /** The one selector the JSON form answers to. */
    static final String JSON = "json";

    private final RouteRegistry routes;
    private final UpstreamChannels channels;
    private final UpstreamHealthChecker health;
    private final UpstreamGuards guards;
    private final LocalUpstreamSelector selector;
    private final ReloadStatus reloads;
    private final Optional<Duration> pollInterval;
    private final Clock clock;

    /**
     * Creates the endpoint.
     *
     * @param routes the table in force
     * @param channels the upstream channels, for their connectivity state
     * @param health the upstreams' last health answers
     * @param guards the upstreams' circuit breakers and concurrency limits
     * @param selector what the local targets last answered
     * @param reloads how route loading went
     * @param pollInterval how often the routes folder is read; empty when the gateway does not
     *     reload routes
     * @param clock stamps reports
     */
    public RouteStatusEndpoint(RouteRegistry routes, UpstreamChannels channels, UpstreamHealthChecker health,
            UpstreamGuards guards, LocalUpstreamSelector selector, ReloadStatus reloads,
            Optional<Duration> pollInterval, Clock clock) {
        this.routes = routes;
        this.channels = channels;
        this.health = health;
        this.guards = guards;
        this.selector = selector;
        this.reloads = reloads;
        this.pollInterval = pollInterval;
        this.clock = clock;
    }

    /**
     * Returns the status page.
     *
     * @return the HTML document
     */
    @ReadOperation(produces = MediaType.TEXT_HTML_VALUE + ";charset=UTF-8")
    public String page() {
        return StatusPage.render(report());
    }

    /**
     * Returns the status as JSON, at {@code /actuator/torii/json}.
     *
     * @param format {@code json}; anything else is not found
     * @return the report
     */
    @ReadOperation(produces = MediaType.APPLICATION_JSON_VALUE)
    public WebEndpointResponse<StatusReport> json(@Selector String format) {
        if (!format.equals(JSON)) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return new WebEndpointResponse<>(report());
    }

    /**
     * Collects the report from the state in force now.
     *
     * @return the report
     */
    public StatusReport report() {
        RouteTable table = routes.current();
        List<StatusReport.Route> routeRows = new ArrayList<>();
        Map<UpstreamTarget, Set<String>> services = new LinkedHashMap<>();
        Set<Pair> pairs = new LinkedHashSet<>();
        table.upstreams().forEach(target -> services.put(target, new LinkedHashSet<>()));
        for (ServiceRoutes service : table.services()) {
            for (MethodRoute method : service.methods()) {
                routeRows.add(new StatusReport.Route(method.path(), method.serviceName(), method.methodName(),
                        method.auth().describe(), StatusReport.duration(method.timeout()), method.audience(),
                        method.upstream().target(), method.source().toString(),
                        method.httpBindings().stream().map(b -> b.verb() + " " + b.template().text()).toList()));
                services.computeIfAbsent(method.upstream(), target -> new LinkedHashSet<>()).add(method.serviceName());
                method.localUpstream().ifPresent(local -> {
                    services.computeIfAbsent(local, target -> new LinkedHashSet<>()).add(method.serviceName());
                    pairs.add(new Pair(local, method.upstream()));
                });
            }
        }
        Map<UpstreamTarget, LocalUpstreamSelector.LocalState> locals = selector.localTargets();
        List<StatusReport.Upstream> upstreamRows = new ArrayList<>();
        services.forEach((target, names) -> {
            UpstreamHealthChecker.Health answer = health.health(target);
            Optional<UpstreamGuards.Guards> guard = guards.find(target);
            List<StatusReport.LocalRemote> localRemote = pairs.stream()
                    .filter(pair -> pair.local().equals(target) || pair.remote().equals(target))
                    .map(pair -> localRemote(pair, locals.get(pair.local())))
                    .toList();
            upstreamRows.add(new StatusReport.Upstream(target.target(), target.tls().enabled(), answer.state().name(),
                    answer.detail().isEmpty() ? null : answer.detail(),
                    answer.checkedAt().map(RouteStatusEndpoint::time).orElse(null),
                    channels.state(target).map(Enum::name).orElse(null),
                    guard.map(RouteStatusEndpoint::circuit).orElse(null),
                    guard.map(RouteStatusEndpoint::concurrency).orElse(null),
                    localRemote, List.copyOf(names)));
        });
        ReloadStatus.Snapshot snapshot = reloads.snapshot();
        List<StatusReport.Problem> problems = snapshot.last().problems().stream()
                .map(p -> new StatusReport.Problem(p.file().toString(), p.line(), p.field(), p.message()))
                .toList();
        StatusReport.Reload reload = new StatusReport.Reload(pollInterval.isPresent(),
                pollInterval.map(StatusReport::duration).orElse(null),
                snapshot.last().outcome().name().toLowerCase(Locale.ROOT), time(snapshot.last().at()),
                snapshot.succeeded(), snapshot.failed(), snapshot.last().digest(), snapshot.inForce().digest(),
                time(snapshot.inForce().at()), problems);
        return new StatusReport(time(clock.instant()), reload, upstreamRows, routeRows);
    }

    /** A local target and the remote one its routes fall back to. */
    private record Pair(UpstreamTarget local, UpstreamTarget remote) {}

    // Decides as LocalUpstreamSelector.select does: local only while its last check said it serves.
    private static StatusReport.LocalRemote localRemote(Pair pair, LocalUpstreamSelector.LocalState local) {
        boolean useLocal = local != null && local.serving();
        return new StatusReport.LocalRemote(pair.local().target(), pair.remote().target(),
                useLocal ? "local" : "remote", "local " + (local == null ? "not checked yet" : local.reason()));
    }

    private static StatusReport.Circuit circuit(UpstreamGuards.Guards guards) {
        CircuitBreaker breaker = guards.breaker();
        if (breaker == null) {
            return new StatusReport.Circuit("off", null, null, null);
        }
        CircuitBreaker.Metrics metrics = breaker.getMetrics();
        return new StatusReport.Circuit(breaker.getState().name(), rate(metrics.getFailureRate()),
                rate(metrics.getSlowCallRate()), metrics.getNumberOfBufferedCalls());
    }

    private static StatusReport.Concurrency concurrency(UpstreamGuards.Guards guards) {
        Bulkhead.Metrics metrics = guards.bulkhead().getMetrics();
        int max = metrics.getMaxAllowedConcurrentCalls();
        return new StatusReport.Concurrency(max - metrics.getAvailableConcurrentCalls(), max);
    }

    // Resilience4j answers -1 until the window holds minimumNumberOfCalls calls.
    private static Double rate(float percent) {
        return percent < 0 ? null : Math.round(percent * 10) / 10.0;
    }

    // Milliseconds are as precise as anyone reading the page needs.
    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
