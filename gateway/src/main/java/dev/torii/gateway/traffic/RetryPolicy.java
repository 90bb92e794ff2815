package dev.torii.gateway.traffic;

import dev.torii.gateway.route.TrafficPolicy;
import io.grpc.Status;
import java.util.function.LongUnaryOperator;

/**
 * Decides whether a failed attempt is tried again, and after how long, as a pure function of the
 * route's policy, the failure, the attempt number and the time left (Envoy's retry policy, kept
 * apart from the retry state: the budget and the timer live with the caller).
 *
 * <p>An attempt is repeated only when the route allows more attempts, the failure is safe to
 * repeat (the request never reached the upstream, or the method is idempotent and the upstream
 * answered UNAVAILABLE or ABORTED), and the wait, full-jitter exponential backoff capped at the
 * route's maximum, leaves the next attempt at least as much time as it waited.
 */
public final class RetryPolicy {

    /** The answer for "do not retry". */
    public static final long NO_RETRY = -1;

    private RetryPolicy() {}

    /**
     * Computes the wait before the next attempt.
     *
     * @param traffic the route's traffic policy (retry settings and idempotency)
     * @param status the status the attempt failed with
     * @param delivered whether the request may have reached the upstream (false when the
     *     transport failed before sending it)
     * @param attempt the number of the attempt that failed, from 1
     * @param remainingMillis the time left before the request's deadline
     * @param jitter picks a wait in {@code [0, ceiling]} for a ceiling; {@code ThreadLocalRandom}
     *     in production, fixed in tests
     * @return the wait in milliseconds, or {@link #NO_RETRY}
     */
    public static long delayMillis(TrafficPolicy traffic, Status.Code status, boolean delivered, int attempt,
            long remainingMillis, LongUnaryOperator jitter) {
        TrafficPolicy.Retry retry = traffic.retry();
        if (attempt >= retry.attempts()) {
            return NO_RETRY;
        }
        boolean notSent = status == Status.Code.UNAVAILABLE && !delivered;
        boolean retryable = notSent || (traffic.idempotent()
                && (status == Status.Code.UNAVAILABLE || status == Status.Code.ABORTED));
        if (!retryable) {
            return NO_RETRY;
        }
        long ceiling = Math.min(retry.maxBackoff().toMillis(), retry.backoff().toMillis() << Math.min(20, attempt - 1));
        long delay = jitter.applyAsLong(ceiling);
        // Leave the next attempt at least as much time as it waited.
        if (remainingMillis <= delay * 2) {
            return NO_RETRY;
        }
        return delay;
    }
}
