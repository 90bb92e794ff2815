package dev.torii.bench;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sends calls to one target at a fixed rate, whatever the answers do (an open loop, as users
 * arrive), and records each call's latency from the moment it was due, not from when it left: a
 * target that stalls is charged for every call that had to wait behind the stall, so no
 * coordinated omission hides it.
 *
 * <p>One thread paces the calls and starts them without waiting on any; the answers arrive on
 * the client's own threads.
 */
final class OpenLoopLoad {

    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int LATENCY_DIGITS = 3;
    private static final int MAX_FAILURE_REASONS = 10;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final LoadTarget target;
    private final Recorder latencies = new Recorder(HIGHEST_LATENCY_NANOS, LATENCY_DIGITS);
    private final LongAdder errors = new LongAdder();
    private final AtomicLong inFlight = new AtomicLong();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    /**
     * Creates the load; nothing is sent until {@link #measure}.
     *
     * @param target what to call
     */
    OpenLoopLoad(LoadTarget target) {
        this.target = target;
    }

    /**
     * Sends {@code rate} calls a second for {@code warmup} (not recorded: connections and pools
     * settle) and then for {@code window}, and waits until every call has ended.
     *
     * @param rate calls per second
     * @param warmup paced load before the recorded part
     * @param window the recorded part
     * @return the latencies of the recorded calls
     * @throws InterruptedException if interrupted while the load runs
     */
    Latency measure(int rate, Duration warmup, Duration window) throws InterruptedException {
        pace(rate, warmup, false);
        latencies.reset();
        errors.reset();
        long sent = pace(rate, window, true);
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(inFlight.get() + " calls to " + target.name() + " still in flight "
                        + DRAIN_TIMEOUT.toSeconds() + " s after the paced load stopped (expected: every call to end)");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        Map<String, Long> reasons = new TreeMap<>();
        failures.forEach((reason, count) -> reasons.put(reason, count.sum()));
        return new Latency(target.name(), rate, sent, errors.sum(), latencies.getIntervalHistogram(), reasons);
    }

    // Starts every call that is due, then parks until the next one is: calls are spread evenly,
    // and a late wake-up sends the calls it missed at once, each timed from when it was due.
    private long pace(int rate, Duration length, boolean recorded) throws InterruptedException {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long calls = length.toNanos() / interval;
        for (long i = 0; i < calls; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("paced load on " + target.name() + " interrupted");
            }
            issue(due, recorded);
        }
        return calls;
    }

    private void issue(long due, boolean recorded) {
        inFlight.incrementAndGet();
        LoadTarget.Outcome outcome = new LoadTarget.Outcome() {
            @Override
            public void succeeded() {
                if (recorded) {
                    latencies.recordValue(Math.min(System.nanoTime() - due, HIGHEST_LATENCY_NANOS));
                }
                inFlight.decrementAndGet();
            }

            @Override
            public void failed(String reason) {
                if (recorded) {
                    errors.increment();
                }
                if (failures.size() < MAX_FAILURE_REASONS || failures.containsKey(reason)) {
                    failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
                }
                inFlight.decrementAndGet();
            }
        };
        try {
            target.call(outcome);
        } catch (RuntimeException e) {
            outcome.failed("call could not start: " + e);
        }
    }

    /**
     * Holds what a paced load saw.
     *
     * @param target the target's name
     * @param rate calls sent per second
     * @param sent calls sent in the recorded part
     * @param errors of those, the calls that failed
     * @param latencies latency of each correct answer from the moment its call was due, in nanoseconds
     * @param failures distinct failure reasons with their counts, warm-up included
     */
    record Latency(String target, int rate, long sent, long errors, Histogram latencies, Map<String, Long> failures) {

        Latency {
            failures = Map.copyOf(failures);
        }

        /**
         * Returns the mean latency in milliseconds.
         *
         * @return the mean, NaN without answers
         */
        double meanMillis() {
            return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getMean() / 1e6;
        }

        /**
         * Returns a latency percentile in milliseconds.
         *
         * @param percentile 0 to 100
         * @return the latency at that percentile, NaN without answers
         */
        double millis(double percentile) {
            return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getValueAtPercentile(percentile) / 1e6;
        }

        /**
         * Returns the fastest answer in milliseconds.
         *
         * @return the least latency, NaN without answers
         */
        double minMillis() {
            return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getMinValue() / 1e6;
        }
    }
}
