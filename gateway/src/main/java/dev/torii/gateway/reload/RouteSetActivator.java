package dev.torii.gateway.reload;

import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.routefile.RouteFileException;
import dev.torii.gateway.routefile.RouteFileLoader;
import dev.torii.gateway.routefile.RouteProblem;
import dev.torii.gateway.traffic.UpstreamGuards;
import dev.torii.gateway.upstream.UpstreamChannels;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a set of route files in force, the same way at start-up and on every reload: the whole
 * set is validated (route files, descriptors, and the gateway's own checks such as that
 * protected routes have an Authority to ask), new upstreams get their channels and guards (an
 * upstream that stays keeps its circuit breaker's state), the table is swapped in one step
 * (requests already matched keep the table they started with), channels no route uses any more
 * are retired once they have drained, and the attempt is recorded in the {@link ReloadStatus}
 * and the log.
 *
 * <p>What differs is only what a refusal does: at start-up it stops the gateway, with every
 * problem in the exception; on a reload it changes nothing but the status and a warning in the
 * log, and the set in force stays.
 */
public final class RouteSetActivator {

    private static final Logger log = LoggerFactory.getLogger(RouteSetActivator.class);

    private final RouteFileLoader loader;
    private final Path dir;
    private final Consumer<RouteTable> check;
    private final UpstreamChannels channels;
    private final UpstreamGuards guards;
    private final ReloadStatus status;
    private final Clock clock;
    private volatile RouteRegistry registry;

    /**
     * Creates an activator; {@link #start()} puts the first set in force.
     *
     * @param loader loads and validates route files
     * @param dir the routes folder
     * @param check further checks of a whole set, which throw to refuse it; see
     *     {@link #authorityCheck(Optional)}
     * @param channels the upstream channels
     * @param guards the upstreams' circuit breakers and concurrency limits
     * @param status where attempts are recorded
     * @param clock stamps attempts
     */
    public RouteSetActivator(RouteFileLoader loader, Path dir, Consumer<RouteTable> check, UpstreamChannels channels,
            UpstreamGuards guards, ReloadStatus status, Clock clock) {
        this.loader = loader;
        this.dir = dir;
        this.check = check;
        this.channels = channels;
        this.guards = guards;
        this.status = status;
        this.clock = clock;
    }

    /**
     * Refuses route sets with protected routes when no Authority is configured: such routes could
     * only ever answer 503.
     *
     * @param authorityTarget the Authority's gRPC address, when configured
     * @return the check, which throws {@link IllegalStateException} naming up to five such routes
     */
    public static Consumer<RouteTable> authorityCheck(Optional<String> authorityTarget) {
        return table -> {
            if (authorityTarget.isPresent()) {
                return;
            }
            List<String> protectedRoutes = table.services().stream().flatMap(s -> s.methods().stream())
                    .filter(m -> !m.auth().isPublic()).map(m -> m.path() + " (" + m.source() + ")").limit(5)
                    .toList();
            if (!protectedRoutes.isEmpty()) {
                throw new IllegalStateException("torii.gateway.authority.target is not set, but routes need"
                        + " authentication: " + String.join(", ", protectedRoutes) + " (expected: the Authority's"
                        + " gRPC address, for example localhost:9090, or auth: public on those routes)");
            }
        };
    }

    /**
     * Puts the folder's route set in force for the first time.
     *
     * @return the registry holding the table in force, from now on swapped by reloads
     * @throws RouteFileException when a route file is unusable
     * @throws IllegalStateException when the set fails the gateway's own checks, or when called twice
     */
    public synchronized RouteRegistry start() {
        if (registry != null) {
            throw new IllegalStateException("the first route set is already in force");
        }
        // Digested before loading, so a change made while the gateway starts differs from it and
        // the first reload poll picks it up.
        String digest = RouteReloader.digest(dir);
        putInForce(prepare(), digest, clock.instant());
        return registry;
    }

    /**
     * Returns the registry holding the table in force.
     *
     * @return the registry
     * @throws IllegalStateException before {@link #start()}
     */
    public RouteRegistry registry() {
        RouteRegistry current = registry;
        if (current == null) {
            throw new IllegalStateException("no route set is in force yet");
        }
        return current;
    }

    /**
     * Loads the folder again and puts its set in force when all of it is valid; otherwise records
     * why not, and the set in force stays.
     *
     * @param digest the digest of the folder's files, read before loading them
     * @return whether the new set was put in force
     * @throws IllegalStateException before {@link #start()}
     */
    public synchronized boolean reload(String digest) {
        registry();
        Instant at = clock.instant();
        RouteTable table;
        try {
            table = prepare();
        } catch (RouteFileException e) {
            reject(e.problems(), digest, at);
            return false;
        } catch (RuntimeException e) {
            reject(List.of(new RouteProblem(dir, 0, "", String.valueOf(e.getMessage()))), digest, at);
            return false;
        }
        putInForce(table, digest, at);
        return true;
    }

    /**
     * Drops the guards and channels of upstreams that were called without being in the route set
     * in force, such as the warm-up's built-in one, so neither they nor their meters outlive
     * their use. Holds the same lock as a reload, so a reload that happens meanwhile keeps what
     * its own set needs.
     *
     * @param targets the upstreams to drop unless a route in force uses them
     * @throws IllegalStateException before {@link #start()}
     */
    public synchronized void dropUnused(Collection<UpstreamTarget> targets) {
        RouteTable table = registry().current();
        // Keeps every guard of the set in force as it is and drops the others.
        guards.update(table);
        channels.retire(targets.stream().filter(t -> !table.upstreams().contains(t)).toList());
    }

    // Validates the whole set, then opens the channels of its new upstreams, so the first request
    // to one does not pay for the connection (and TLS material that cannot be read refuses it).
    private RouteTable prepare() {
        RouteTable table = loader.load(dir);
        check.accept(table);
        channels.open(table.upstreams());
        return table;
    }

    // Guards before the swap, so no request finds an upstream without them.
    private void putInForce(RouteTable table, String digest, Instant at) {
        guards.update(table);
        RouteRegistry current = registry;
        if (current == null) {
            registry = new RouteRegistry(table);
            status.started(table, digest, table.loadedAt());
            log.info("loaded {} routes of {} services from {}", table.size(), table.services().size(),
                    dir.toAbsolutePath().normalize());
            return;
        }
        RouteTable previous = current.current();
        current.swap(table);
        channels.retainOnly(table.upstreams(), longestTimeout(previous));
        status.loaded(table, digest, at);
        Set<UpstreamTarget> added = new LinkedHashSet<>(table.upstreams());
        added.removeAll(previous.upstreams());
        Set<UpstreamTarget> removed = new LinkedHashSet<>(previous.upstreams());
        removed.removeAll(table.upstreams());
        log.info("reloaded {} routes of {} services from {} (digest {}); upstreams added: {}, removed: {}",
                table.size(), table.services().size(), dir.toAbsolutePath().normalize(), digest, added, removed);
    }

    private void reject(List<RouteProblem> problems, String digest, Instant at) {
        // Channels opened for the refused set are not needed; those of the set in force stay.
        channels.retainOnly(registry.current().upstreams(), Duration.ZERO);
        status.rejected(problems, digest, at);
        log.warn("route files in {} not reloaded; still serving the previous set. {} problem(s):{}",
                dir.toAbsolutePath().normalize(), problems.size(),
                problems.stream().map(p -> "\n  " + p).collect(Collectors.joining()));
    }

    // No request matched against the previous table can still start an upstream call after its
    // route's timeout: its deadline has passed by then.
    private static Duration longestTimeout(RouteTable table) {
        return table.services().stream().flatMap(s -> s.methods().stream()).map(MethodRoute::timeout)
                .max(Duration::compareTo).orElse(Duration.ZERO);
    }
}
