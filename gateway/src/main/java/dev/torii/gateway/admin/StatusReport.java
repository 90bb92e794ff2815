package dev.torii.gateway.admin;

import dev.torii.gateway.route.RouteDurations;
import java.time.Duration;
import java.util.List;

/**
 * Describes what the gateway serves, as the status page shows it and its JSON form returns it:
 * every route, every upstream with its health, circuit breaker, concurrency limit and (for a
 * local/remote upstream) the target in use, and how the last route reload went.
 *
 * <p>Times are ISO-8601 instants, durations are written as in route files ({@code 5s},
 * {@code 250ms}); absent values are {@code null}.
 *
 * @param generatedAt when the report was made
 * @param reload how route loading went
 * @param upstreams every upstream the routes in force use
 * @param routes every route in force, in route-file order
 */
public record StatusReport(String generatedAt, Reload reload, List<Upstream> upstreams, List<Route> routes) {

    /**
     * Copies the lists.
     */
    public StatusReport {
        upstreams = List.copyOf(upstreams);
        routes = List.copyOf(routes);
    }

    /**
     * Describes one exposed method.
     *
     * @param path the HTTP path clients call
     * @param service the fully-qualified gRPC service
     * @param method the method's name
     * @param auth who may call ({@code public}, {@code users(scopes: ...)}, ...)
     * @param timeout the longest the gateway waits for the upstream
     * @param audience the audience of the private tokens the upstream receives
     * @param upstream the upstream's target
     * @param source the route file and line declaring the method
     * @param rest the method's REST bindings, such as {@code GET /v1/offers/{id}}
     */
    public record Route(String path, String service, String method, String auth, String timeout, String audience,
            String upstream, String source, List<String> rest) {}

    /**
     * Describes one upstream target: where it is and how it is doing. The local and the remote
     * target of a local/remote upstream are one row each, since each has its own channel, health
     * and breaker. Further facts about an upstream belong here as new components, with a column
     * in {@link StatusPage}.
     *
     * @param target the gRPC target
     * @param tls whether the connection uses TLS
     * @param health the last answer to the standard gRPC health check: {@code PENDING},
     *     {@code SERVING}, {@code NOT_SERVING}, {@code UNKNOWN}, {@code NO_HEALTH_SERVICE} (reachable,
     *     but no health service) or {@code DOWN} (unreachable or failing)
     * @param healthDetail the gRPC status of a failed check, or {@code null}
     * @param checkedAt when the upstream last answered a check, or {@code null}
     * @param channel the connectivity state of the gateway's channel to it ({@code IDLE},
     *     {@code CONNECTING}, {@code READY}, {@code TRANSIENT_FAILURE}, {@code SHUTDOWN}), or
     *     {@code null} when it has none
     * @param circuit its circuit breaker, or {@code null} when it has none yet (only ever for a
     *     moment while a reload puts a new set in force)
     * @param concurrency its concurrency limit, or {@code null} likewise
     * @param localRemote the local/remote upstreams it is the local or the remote target of, each
     *     with the target in use; empty for a plain upstream
     * @param services the services routed to it
     */
    public record Upstream(String target, boolean tls, String health, String healthDetail, String checkedAt,
            String channel, Circuit circuit, Concurrency concurrency, List<LocalRemote> localRemote,
            List<String> services) {

        /**
         * Copies the lists.
         */
        public Upstream {
            localRemote = List.copyOf(localRemote);
            services = List.copyOf(services);
        }
    }

    /**
     * Describes an upstream's circuit breaker.
     *
     * @param state {@code CLOSED} (calls pass), {@code OPEN} (calls are refused at once; the first
     *     call after {@code waitInOpenState} probes, so an unused upstream stays {@code OPEN}),
     *     {@code HALF_OPEN} (probe calls decide), {@code FORCED_OPEN}, {@code DISABLED}, or
     *     {@code off} when the route files turn the breaker off
     * @param failureRate the percentage of failed calls in the breaker's window, or {@code null}
     *     while the window holds fewer than {@code minimumNumberOfCalls} calls, and when off
     * @param slowCallRate the percentage of calls slower than {@code slowCallDuration}, likewise
     * @param calls the calls in the window (in {@code HALF_OPEN}, the probes so far), or
     *     {@code null} when off
     */
    public record Circuit(String state, Double failureRate, Double slowCallRate, Integer calls) {}

    /**
     * Describes an upstream's concurrency limit.
     *
     * @param inFlight the calls to the upstream in flight now
     * @param max the most calls in flight ({@code maxConcurrentCalls}); more are refused at once
     */
    public record Concurrency(int inFlight, int max) {}

    /**
     * Describes an upstream declared with a local and a remote target.
     *
     * @param local the local target
     * @param remote the remote target
     * @param inUse where its routes' calls go now: {@code local} or {@code remote}
     * @param reason why: what the local target last answered, such as
     *     {@code local answers its health check (SERVING)} or
     *     {@code local does not answer its health check: UNAVAILABLE: io exception}
     */
    public record LocalRemote(String local, String remote, String inUse, String reason) {}

    /**
     * Describes how route loading went.
     *
     * @param watching whether the gateway reloads the routes folder when it changes
     * @param pollInterval how often the folder is read besides file-system events, or {@code null}
     *     when not watching
     * @param result the last attempt: {@code started} (loaded at start-up), {@code loaded} (a reload
     *     put in force) or {@code rejected} (a reload refused; the previous set stays in force)
     * @param at when the last attempt was made
     * @param succeeded reloads put in force since start-up
     * @param failed reloads refused since start-up
     * @param digest a digest of the files the last attempt read
     * @param inForceDigest a digest of the files of the set in force
     * @param inForceSince when the set in force was loaded
     * @param problems why the last attempt was refused; empty otherwise
     */
    public record Reload(boolean watching, String pollInterval, String result, String at, long succeeded,
            long failed, String digest, String inForceDigest, String inForceSince, List<Problem> problems) {

        /**
         * Copies the problems.
         */
        public Reload {
            problems = List.copyOf(problems);
        }
    }

    /**
     * Describes one problem of a refused route set.
     *
     * @param file the route file (or folder)
     * @param line 1-based line, 0 for the whole file
     * @param field the field's path inside the file, empty for the whole file
     * @param message what is wrong and what was expected
     */
    public record Problem(String file, int line, String field, String message) {}

    /**
     * Writes a duration the way route files do: {@code 1h}, {@code 5s}, {@code 250ms}.
     */
    static String duration(Duration duration) {
        return RouteDurations.format(duration);
    }
}
