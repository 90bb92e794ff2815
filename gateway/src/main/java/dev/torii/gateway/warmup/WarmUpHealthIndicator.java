package dev.torii.gateway.warmup;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Tells the readiness probe whether the warm-up is over: OUT_OF_SERVICE while it runs, UP once it
 * ended, however it ended (its calls answered, its time budget spent, or failed: a failed
 * warm-up only makes the first clients' calls slower, so it must never keep the gateway out of
 * its load balancer), and UP from the start when the warm-up is off. Named {@code warmup} in the
 * health endpoint and its readiness group.
 */
public final class WarmUpHealthIndicator implements HealthIndicator {

    private volatile Health health;
    private volatile LongSupplier progress;

    private WarmUpHealthIndicator(Health health) {
        this.health = health;
    }

    /**
     * Creates the indicator of a gateway that warms up, OUT_OF_SERVICE until the warm-up ends.
     *
     * @param calls the calls the warm-up will send
     * @param maxDuration its time budget
     * @return the indicator
     */
    public static WarmUpHealthIndicator pending(int calls, Duration maxDuration) {
        return new WarmUpHealthIndicator(Health.outOfService()
                .withDetail("reason", "warming up: synthetic calls exercise the request path before clients' do")
                .withDetail("calls", calls)
                .withDetail("maxDuration", maxDuration.toString())
                .build());
    }

    /**
     * Creates the indicator of a gateway that does not warm up: UP.
     *
     * @return the indicator
     */
    public static WarmUpHealthIndicator disabled() {
        return new WarmUpHealthIndicator(Health.up().withDetail("warmup", "disabled").build());
    }

    /**
     * Reports the warm-up's calls answered so far while it runs.
     *
     * @param answered counts them
     */
    void running(LongSupplier answered) {
        progress = answered;
    }

    /**
     * Reports the warm-up over: UP from now on.
     *
     * @param answered the calls answered
     * @param took how long the warm-up ran
     * @param failure why it stopped before its calls were answered, or null
     */
    void ended(long answered, Duration took, String failure) {
        Health.Builder up = Health.up().withDetail("answered", answered)
                .withDetail("seconds", Math.round(took.toMillis() / 100.0) / 10.0);
        if (failure != null) {
            up.withDetail("warning", failure);
        }
        progress = null;
        health = up.build();
    }

    /**
     * Tells whether the warm-up is over (or off).
     *
     * @return OUT_OF_SERVICE while it runs, UP otherwise
     */
    @Override
    public Health health() {
        Health current = health;
        LongSupplier answered = progress;
        if (answered == null || !"OUT_OF_SERVICE".equals(current.getStatus().getCode())) {
            return current;
        }
        return Health.status(current.getStatus()).withDetails(current.getDetails())
                .withDetail("answered", answered.getAsLong()).build();
    }
}
