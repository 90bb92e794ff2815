package dev.torii.bench;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Keeps a fixed number of calls in flight against one target: each answer starts the next call
 * from the thread that delivered it, so no thread ever waits on a call and the driver stays cheap.
 *
 * <p>One instance runs one warm-up and one measured window, then stops.
 */
final class ClosedLoopLoad {

    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int LATENCY_DIGITS = 3;
    private static final int MAX_FAILURE_REASONS = 10;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    // A failing target may fail instantly; pausing the slot keeps it from spinning a core that the
    // processes under test need, and from recursing when a call fails before returning.
    private static final long PAUSE_AFTER_FAILURE_MILLIS = 1;

    private final LoadTarget target;
    private final int concurrency;
    private final ScheduledExecutorService pauses;
    private final CpuUsage cpu;
    private final Recorder latencies = new Recorder(HIGHEST_LATENCY_NANOS, LATENCY_DIGITS);
    private final LongAdder errors = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch drained = new CountDownLatch(1);
    private volatile boolean running;

    /**
     * Creates the load; nothing is sent until {@link #measure}.
     *
     * @param target what to call
     * @param concurrency calls kept in flight
     * @param pauses runs the pause after a failed call
     * @param cpu samples CPU time around the window
     */
    ClosedLoopLoad(LoadTarget target, int concurrency, ScheduledExecutorService pauses, CpuUsage cpu) {
        this.target = target;
        this.concurrency = concurrency;
        this.pauses = pauses;
        this.cpu = cpu;
    }

    /**
     * Runs the load for {@code warmup}, then records a window of {@code window}, then stops and
     * waits until every call in flight has ended.
     *
     * @param round the round number, for the report
     * @param warmup load before measuring, for the JIT, pools and connections
     * @param window the measured time
     * @return what the window saw
     * @throws InterruptedException if interrupted while the load runs
     */
    Measurement measure(int round, Duration warmup, Duration window) throws InterruptedException {
        running = true;
        inFlight.set(concurrency);
        for (int i = 0; i < concurrency; i++) {
            issue();
        }
        try {
            Thread.sleep(warmup.toMillis());
            long warmupErrors = errors.sumThenReset();
            latencies.reset();
            Map<String, Long> cpuBefore = cpu.sample();
            long begin = System.nanoTime();
            Thread.sleep(window.toMillis());
            long end = System.nanoTime();
            Histogram histogram = latencies.getIntervalHistogram();
            long windowErrors = errors.sumThenReset();
            Map<String, Long> cpuAfter = cpu.sample();
            Map<String, Long> reasons = new TreeMap<>();
            failures.forEach((reason, count) -> reasons.put(reason, count.sum()));
            return new Measurement(target.name(), round, histogram.getTotalCount(), windowErrors, warmupErrors,
                    end - begin, histogram, CpuUsage.cores(cpuBefore, cpuAfter, end - begin), reasons);
        } finally {
            stop();
        }
    }

    private void stop() throws InterruptedException {
        running = false;
        if (!drained.await(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(inFlight.get() + " calls to " + target.name() + " still in flight "
                    + DRAIN_TIMEOUT.toSeconds() + " s after the load stopped (expected: every call to end)");
        }
    }

    private void issue() {
        if (!running) {
            if (inFlight.decrementAndGet() == 0) {
                drained.countDown();
            }
            return;
        }
        long start = System.nanoTime();
        LoadTarget.Outcome outcome = new LoadTarget.Outcome() {
            @Override
            public void succeeded() {
                latencies.recordValue(Math.min(System.nanoTime() - start, HIGHEST_LATENCY_NANOS));
                issue();
            }

            @Override
            public void failed(String reason) {
                errors.increment();
                if (failures.size() < MAX_FAILURE_REASONS || failures.containsKey(reason)) {
                    failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
                }
                pauses.schedule(ClosedLoopLoad.this::issue, PAUSE_AFTER_FAILURE_MILLIS, TimeUnit.MILLISECONDS);
            }
        };
        try {
            target.call(outcome);
        } catch (RuntimeException e) {
            outcome.failed("call could not start: " + e);
        }
    }
}
