package dev.torii.authority.verify;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the state of the key endpoints the verifiers fetch from, for meters and the health
 * details: how many fetches failed, how often keys past their time to live were used because the
 * endpoint could not be reached, and which endpoints are in such an outage now.
 */
public final class KeyFetchMonitor {

    /** The kinds of key endpoint, a bounded set fit for a meter tag. */
    public enum Source {
        /** The OIDC issuer's JWKS, for JWT access tokens. */
        OIDC_JWKS("oidc_jwks"),
        /** Google's JWKS, for Google-issued ID tokens. */
        GOOGLE_ID_TOKEN_JWKS("google_id_token_jwks"),
        /** The published certificates of service accounts, for self-signed JWTs. */
        GOOGLE_CERTIFICATES("google_certificates");

        private final String tag;

        Source(String tag) {
            this.tag = tag;
        }

        /**
         * Returns the source's name in meters and health details.
         *
         * @return the name, such as {@code google_id_token_jwks}
         */
        public String tag() {
            return tag;
        }
    }

    /**
     * What is known of one kind of key endpoint.
     *
     * @param fetchFailures fetches that failed since start-up
     * @param staleKeyUses verifications that used keys past their time to live, because the
     *     endpoint could not be reached
     * @param endpointsInOutage endpoints whose last good keys are being used now
     * @param outageSince when the oldest of those outages began, if any
     * @param servingStaleUntil when the last good keys of the endpoint in outage that expires
     *     first stop being used, if any
     * @param lastFailure what went wrong with the latest failed fetch, if any
     */
    public record Snapshot(long fetchFailures, long staleKeyUses, int endpointsInOutage, Optional<Instant> outageSince,
            Optional<Instant> servingStaleUntil, Optional<String> lastFailure) {}

    /** The most endpoints in outage remembered per source; service accounts are many, a bound is needed. */
    private static final int MAX_OUTAGES = 10_000;

    private record Outage(Instant since, Instant servingUntil) {}

    private final class State {
        final AtomicLong failures = new AtomicLong();
        final AtomicLong staleUses = new AtomicLong();
        final Map<String, Outage> outages = new ConcurrentHashMap<>();
        volatile String lastFailure;
    }

    private final Clock clock;
    private final Map<Source, State> states = new EnumMap<>(Source.class);

    /**
     * Creates the monitor.
     *
     * @param clock decides when an outage's grace has run out
     */
    public KeyFetchMonitor(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        for (Source source : Source.values()) {
            states.put(source, new State());
        }
    }

    /**
     * Records a successful fetch, which ends the endpoint's outage.
     *
     * @param source the kind of endpoint
     * @param endpoint the endpoint's URL
     */
    void fetched(Source source, String endpoint) {
        states.get(source).outages.remove(endpoint);
    }

    /**
     * Records a failed fetch.
     *
     * @param source the kind of endpoint
     * @param problem what went wrong, naming the endpoint (never a credential)
     */
    void failed(Source source, String problem) {
        State state = states.get(source);
        state.failures.incrementAndGet();
        state.lastFailure = problem;
    }

    /**
     * Records that an endpoint cannot be reached and its last good keys are used instead.
     *
     * @param source the kind of endpoint
     * @param endpoint the endpoint's URL
     * @param servingStaleUntil until when the last good keys are used
     */
    void outage(Source source, String endpoint, Instant servingStaleUntil) {
        State state = states.get(source);
        if (state.outages.size() < MAX_OUTAGES || state.outages.containsKey(endpoint)) {
            Instant now = clock.instant();
            state.outages.compute(endpoint, (e, outage) ->
                    new Outage(outage == null ? now : outage.since(), servingStaleUntil));
        }
    }

    /**
     * Records that a verification used keys past their time to live.
     *
     * @param source the kind of endpoint
     */
    void usedStaleKeys(Source source) {
        states.get(source).staleUses.incrementAndGet();
    }

    /**
     * Returns what is known of one kind of endpoint now.
     *
     * @param source the kind of endpoint
     * @return the snapshot; outages whose grace has run out are left out
     */
    public Snapshot snapshot(Source source) {
        State state = states.get(source);
        Instant now = clock.instant();
        state.outages.values().removeIf(outage -> !outage.servingUntil().isAfter(now));
        Optional<Instant> since = state.outages.values().stream().map(Outage::since).min(Instant::compareTo);
        Optional<Instant> until = state.outages.values().stream().map(Outage::servingUntil).min(Instant::compareTo);
        return new Snapshot(state.failures.get(), state.staleUses.get(), state.outages.size(), since, until,
                Optional.ofNullable(state.lastFailure));
    }
}
