package dev.torii.gateway.traffic;

import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.ServiceRoutes;
import dev.torii.gateway.route.TrafficPolicy;
import dev.torii.gateway.route.UpstreamTarget;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds, per upstream, what keeps a failing or overloaded upstream from taking the gateway down:
 * a circuit breaker (Resilience4j, count-based window), a concurrency limit that refuses at once
 * instead of queueing, and a retry budget. Guards are made when a route set is put in force,
 * so the status page shows every breaker from the start.
 */
public final class UpstreamGuards {

    /**
     * The guards of one upstream.
     *
     * @param breaker the circuit breaker; null when the route file turns it off
     * @param bulkhead the concurrency limit
     * @param retryBudget the retry budget
     * @param settings the circuit-breaker settings the guards were made from
     * @param maxConcurrentCalls the concurrency limit they were made from
     */
    public record Guards(CircuitBreaker breaker, Bulkhead bulkhead, RetryBudget retryBudget,
            TrafficPolicy.CircuitBreaker settings, int maxConcurrentCalls) {}

    private final Map<UpstreamTarget, Guards> guards = new ConcurrentHashMap<>();
    // Registries, so resilience4j-micrometer publishes each breaker's and limit's state, and
    // follows them as reloads replace them.
    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
    private final BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
    private final double retryRatio;
    private final double minRetriesPerSecond;

    /**
     * Creates the registry.
     *
     * @param retryRatio retries allowed per request
     * @param minRetriesPerSecond retries always allowed per second and upstream
     */
    public UpstreamGuards(double retryRatio, double minRetriesPerSecond) {
        this.retryRatio = retryRatio;
        this.minRetriesPerSecond = minRetriesPerSecond;
    }

    /**
     * Makes the guards of every upstream a route set uses, before that set is put in force, so
     * each breaker exists (closed) before its first call; keeps those whose settings did not
     * change, with their breaker's state, and drops those of upstreams the set no longer uses.
     * Guards whose settings changed start afresh.
     *
     * @param table the route set about to be put in force
     */
    public synchronized void update(RouteTable table) {
        Map<UpstreamTarget, TrafficPolicy> policies = new LinkedHashMap<>();
        for (ServiceRoutes service : table.services()) {
            for (MethodRoute method : service.methods()) {
                // The loader makes every route naming an upstream give it the same settings.
                policies.putIfAbsent(method.upstream(), method.traffic());
                method.localUpstream().ifPresent(local -> policies.putIfAbsent(local, method.traffic()));
            }
        }
        policies.forEach((target, policy) -> guards.compute(target,
                (key, existing) -> existing != null && sameSettings(existing, policy) ? existing : create(key, policy)));
        for (UpstreamTarget gone : Set.copyOf(guards.keySet())) {
            if (!policies.containsKey(gone)) {
                guards.remove(gone);
                // Their meters go with them.
                breakers.remove(gone.target());
                bulkheads.remove(gone.target());
            }
        }
    }

    /**
     * Returns the guards of an upstream: those of the set in force (see {@link #update}), or, when
     * a call matched before a reload reaches an upstream that reload dropped, new ones, which the
     * next update drops again.
     *
     * @param target the upstream
     * @param policy the route's traffic policy, carrying the upstream's settings
     * @return the guards
     */
    public Guards of(UpstreamTarget target, TrafficPolicy policy) {
        Guards current = guards.get(target);
        if (current != null) {
            // A call matched before a reload that changed the settings shares the new guards: an
            // upstream has one breaker.
            return current;
        }
        return guards.computeIfAbsent(target, key -> create(key, policy));
    }

    /**
     * Returns the guards of an upstream of the set in force, for the status page.
     *
     * @param target the upstream
     * @return its guards, or empty when no route in force uses it
     */
    public Optional<Guards> find(UpstreamTarget target) {
        return Optional.ofNullable(guards.get(target));
    }

    private static boolean sameSettings(Guards guards, TrafficPolicy policy) {
        return guards.settings().equals(policy.circuitBreaker())
                && guards.maxConcurrentCalls() == policy.maxConcurrentCalls();
    }

    /**
     * Returns the registry of the circuit breakers in use, named by upstream target.
     *
     * @return the registry
     */
    public CircuitBreakerRegistry breakers() {
        return breakers;
    }

    /**
     * Returns the registry of the concurrency limits in use, named by upstream target.
     *
     * @return the registry
     */
    public BulkheadRegistry bulkheads() {
        return bulkheads;
    }

    private Guards create(UpstreamTarget target, TrafficPolicy policy) {
        TrafficPolicy.CircuitBreaker settings = policy.circuitBreaker();
        CircuitBreaker breaker = null;
        if (settings.enabled()) {
            breakers.remove(target.target());
            breaker = breakers.circuitBreaker(target.target(), CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(settings.slidingWindowSize())
                    .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                    .failureRateThreshold(settings.failureRateThreshold())
                    .slowCallDurationThreshold(settings.slowCallDuration())
                    .slowCallRateThreshold(settings.slowCallRateThreshold())
                    .waitDurationInOpenState(settings.waitInOpenState())
                    .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
                    // Half-open on the next call after the wait, without a timer thread per breaker.
                    .automaticTransitionFromOpenToHalfOpenEnabled(false)
                    .build());
        }
        if (breaker == null) {
            breakers.remove(target.target());
        }
        bulkheads.remove(target.target());
        Bulkhead bulkhead = bulkheads.bulkhead(target.target(), BulkheadConfig.custom()
                .maxConcurrentCalls(policy.maxConcurrentCalls())
                .maxWaitDuration(Duration.ZERO)
                .build());
        return new Guards(breaker, bulkhead, new RetryBudget(retryRatio, minRetriesPerSecond, System.nanoTime()),
                settings, policy.maxConcurrentCalls());
    }
}
