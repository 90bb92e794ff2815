package dev.torii.gateway.traffic;

/**
 * Limits retries to a share of the traffic, so retries cannot multiply an outage: every first
 * attempt deposits {@code ratio} of a token, a steady {@code minPerSecond} tokens are added each
 * second (so a quiet upstream can still be retried), and each retry withdraws one token. The
 * balance is capped, so a long quiet spell does not save up a retry storm.
 */
public final class RetryBudget {

    private final double ratio;
    private final double minPerNano;
    private final double cap;
    private double balance;
    private long updatedNanos;

    /**
     * Creates a budget.
     *
     * @param ratio retries allowed per request, such as 0.2
     * @param minPerSecond retries always allowed per second
     * @param nowNanos the current monotonic time
     */
    public RetryBudget(double ratio, double minPerSecond, long nowNanos) {
        this.ratio = ratio;
        this.minPerNano = minPerSecond / 1e9;
        this.cap = Math.max(10, minPerSecond * 10);
        this.balance = cap;
        this.updatedNanos = nowNanos;
    }

    /**
     * Records a first attempt.
     *
     * @param nowNanos the current monotonic time
     */
    public synchronized void deposit(long nowNanos) {
        refill(nowNanos);
        balance = Math.min(cap, balance + ratio);
    }

    /**
     * Takes one retry from the budget, if there is one.
     *
     * @param nowNanos the current monotonic time
     * @return whether the retry may go ahead
     */
    public synchronized boolean tryWithdraw(long nowNanos) {
        refill(nowNanos);
        if (balance >= 1) {
            balance -= 1;
            return true;
        }
        return false;
    }

    private void refill(long nowNanos) {
        if (nowNanos > updatedNanos) {
            balance = Math.min(cap, balance + (nowNanos - updatedNanos) * minPerNano);
            updatedNanos = nowNanos;
        }
    }
}
