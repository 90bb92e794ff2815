package dev.torii.gateway.reload;

import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.routefile.RouteProblem;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Remembers how route loading went: the set loaded at start-up, how many reloads succeeded and
 * failed since, and the last attempt's result, time and problems. The status page reads it, and
 * so can metrics.
 */
public final class ReloadStatus {

    /** What became of an attempt to load the routes folder. */
    public enum Outcome {
        /** Loaded when the gateway started. */
        STARTED,
        /** Loaded by a reload and put in force. */
        LOADED,
        /** Refused; the set in force before stayed in force. */
        REJECTED
    }

    /**
     * Describes one attempt to load the routes folder.
     *
     * @param outcome what became of it
     * @param at when it was made
     * @param digest a digest of the route files read, telling one version of the folder from another
     * @param routes how many routes the set has; 0 when rejected
     * @param problems why it was rejected; empty otherwise
     */
    public record Attempt(Outcome outcome, Instant at, String digest, int routes, List<RouteProblem> problems) {

        /**
         * Copies the problems.
         */
        public Attempt {
            problems = List.copyOf(problems);
        }
    }

    /**
     * Holds counts and attempts read together, so a reader never sees a count from one reload
     * with the result of another.
     *
     * @param succeeded reloads put in force since start-up
     * @param failed reloads refused since start-up
     * @param last the latest attempt, start-up included
     * @param inForce the attempt whose set is in force
     */
    public record Snapshot(long succeeded, long failed, Attempt last, Attempt inForce) {}

    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();

    /**
     * Records the set loaded at start-up.
     *
     * @param table the set
     * @param digest the digest of the files it was read from
     * @param at when it was loaded
     */
    public void started(RouteTable table, String digest, Instant at) {
        Attempt attempt = new Attempt(Outcome.STARTED, at, digest, table.size(), List.of());
        snapshot.set(new Snapshot(0, 0, attempt, attempt));
    }

    /**
     * Records a reload that was put in force.
     *
     * @param table the new set
     * @param digest the digest of the files it was read from
     * @param at when it was loaded
     */
    public void loaded(RouteTable table, String digest, Instant at) {
        Attempt attempt = new Attempt(Outcome.LOADED, at, digest, table.size(), List.of());
        snapshot.updateAndGet(s -> new Snapshot(s.succeeded() + 1, s.failed(), attempt, attempt));
    }

    /**
     * Records a reload that was refused.
     *
     * @param problems why
     * @param digest the digest of the files read
     * @param at when it was tried
     */
    public void rejected(List<RouteProblem> problems, String digest, Instant at) {
        Attempt attempt = new Attempt(Outcome.REJECTED, at, digest, 0, problems);
        snapshot.updateAndGet(s -> new Snapshot(s.succeeded(), s.failed() + 1, attempt, s.inForce()));
    }

    /**
     * Returns the counts and attempts so far.
     *
     * @return the snapshot
     * @throws IllegalStateException before the start-up set is recorded
     */
    public Snapshot snapshot() {
        Snapshot current = snapshot.get();
        if (current == null) {
            throw new IllegalStateException("no route set has been loaded yet");
        }
        return current;
    }
}
