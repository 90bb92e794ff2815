package dev.torii.gateway.reload;

import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.routefile.RouteFileException;
import dev.torii.gateway.routefile.RouteFileLoader;
import dev.torii.gateway.routefile.RouteProblem;
import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.traffic.UpstreamGuards;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the routes folder again when its content changed, and puts the new set in force only
 * when all of it is valid: new upstreams get their channels and guards first (an upstream that
 * stays keeps its circuit breaker's state), the table is swapped in one step (requests already matched keep the table they started with), and channels no route uses
 * any more are closed once they have drained. An invalid set changes nothing but the
 * {@link ReloadStatus} and a warning in the log.
 */
public final class RouteReloader {

    private static final Logger log = LoggerFactory.getLogger(RouteReloader.class);
    private static final int DIGEST_CHARS = 12;

    private final RouteFileLoader loader;
    private final Path dir;
    private final Consumer<RouteTable> check;
    private final RouteRegistry registry;
    private final UpstreamChannels channels;
    private final UpstreamGuards guards;
    private final ReloadStatus status;
    private final Clock clock;

    /**
     * Creates a reloader.
     *
     * @param loader loads and validates route files, the same as at start-up
     * @param dir the routes folder
     * @param check further checks of a whole set, which throw to refuse it (for example, that
     *     protected routes have an Authority to ask)
     * @param registry the table in force
     * @param channels the upstream channels
     * @param guards the upstreams' circuit breakers and concurrency limits
     * @param status where attempts are recorded; must hold the start-up set
     * @param clock stamps attempts
     */
    public RouteReloader(RouteFileLoader loader, Path dir, Consumer<RouteTable> check, RouteRegistry registry,
            UpstreamChannels channels, UpstreamGuards guards, ReloadStatus status, Clock clock) {
        this.loader = loader;
        this.dir = dir;
        this.check = check;
        this.registry = registry;
        this.channels = channels;
        this.guards = guards;
        this.status = status;
        this.clock = clock;
    }

    /**
     * Reloads the folder if its route files differ from those of the last attempt; a folder
     * that stays unchanged after a refused attempt is not tried (nor logged) again.
     *
     * @return whether an attempt was made
     */
    public synchronized boolean reloadIfChanged() {
        String digest = digest(dir);
        if (digest.equals(status.snapshot().last().digest())) {
            return false;
        }
        Instant at = clock.instant();
        RouteTable table;
        try {
            table = loader.load(dir);
            check.accept(table);
            channels.open(table.upstreams());
        } catch (RouteFileException e) {
            reject(e.problems(), digest, at);
            return true;
        } catch (RuntimeException e) {
            reject(List.of(new RouteProblem(dir, 0, "", String.valueOf(e.getMessage()))), digest, at);
            return true;
        }
        RouteTable previous = registry.current();
        guards.update(table);
        registry.swap(table);
        channels.retainOnly(table.upstreams(), longestTimeout(previous));
        status.loaded(table, digest, at);
        Set<UpstreamTarget> added = new LinkedHashSet<>(table.upstreams());
        added.removeAll(previous.upstreams());
        Set<UpstreamTarget> removed = new LinkedHashSet<>(previous.upstreams());
        removed.removeAll(table.upstreams());
        log.info("reloaded {} routes of {} services from {} (digest {}); upstreams added: {}, removed: {}",
                table.size(), table.services().size(), dir.toAbsolutePath().normalize(), digest, added, removed);
        return true;
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

    /**
     * Digests the route files of a folder (names and content, links followed), telling one
     * version of the folder from another. Reading a few small files every few seconds is cheap,
     * and unlike modification times a digest sees a Kubernetes ConfigMap swap, which replaces
     * the files behind symbolic links.
     *
     * @param dir the routes folder
     * @return a short hex digest, or a description of why the folder cannot be read
     */
    public static String digest(Path dir) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try {
            for (Path file : RouteFileLoader.routeFiles(dir)) {
                sha256.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
                sha256.update(Files.readAllBytes(file));
                sha256.update((byte) 0);
            }
        } catch (IOException | RuntimeException e) {
            return "unreadable (" + e + ")";
        }
        return HexFormat.of().formatHex(sha256.digest()).substring(0, DIGEST_CHARS);
    }
}
