package dev.torii.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * <p>One instance runs one warm-up and one measured window, then stops. The warm-up lasts at least
 * its minimum and goes on, in steps of up to 5 s, while throughput still climbs (see
 * {@link #climbing}) or the JIT compilers still work (see {@link #compiling}), up to its maximum:
 * on two cores the JIT needs a minute or more under load to compile a deep reactive stack, and a
 * shorter warm-up would measure it half-compiled. Each step is reported, so a slow start stays
 * visible.
 */
final class ClosedLoopLoad {

    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int LATENCY_DIGITS = 3;
    private static final int MAX_FAILURE_REASONS = 10;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    // A failing target may fail instantly; pausing the slot keeps it from spinning a core that the
    // processes under test need, and from recursing when a call fails before returning.
    private static final long PAUSE_AFTER_FAILURE_MILLIS = 1;
    private static final Duration MIN_WARMUP_STEP = Duration.ofSeconds(1);
    private static final Duration MAX_WARMUP_STEP = Duration.ofSeconds(5);
    private static final int COMPARED_STEPS = 3;
    private static final int CLIMBING_PERCENT = 5;
    // In steady state the compilers of the three JVMs use a few hundredths of a core.
    private static final double JIT_BUSY_CORES = 0.1;

    private final LoadTarget target;
    private final int concurrency;
    private final ScheduledExecutorService pauses;
    private final CpuUsage cpu;
    private final Recorder latencies = new Recorder(HIGHEST_LATENCY_NANOS, LATENCY_DIGITS);
    private final LongAdder answered = new LongAdder();
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
     * Warms up, then records a window of {@code window}, then stops and waits until every call in
     * flight has ended.
     *
     * @param round the round number, for the report
     * @param minWarmup the shortest load before measuring, for the JIT, pools and connections
     * @param maxWarmup the longest, however much throughput still climbs
     * @param window the measured time
     * @return what the window saw
     * @throws InterruptedException if interrupted while the load runs
     */
    Measurement measure(int round, Duration minWarmup, Duration maxWarmup, Duration window)
            throws InterruptedException {
        running = true;
        inFlight.set(concurrency);
        for (int i = 0; i < concurrency; i++) {
            issue();
        }
        try {
            Warmup warmup = warmUp(minWarmup, maxWarmup);
            long warmupErrors = errors.sumThenReset();
            latencies.reset();
            Map<String, Long> cpuBefore = cpu.sample();
            long begin = System.nanoTime();
            Thread.sleep(window.toMillis());
            long end = System.nanoTime();
            Histogram histogram = latencies.getIntervalHistogram();
            long windowErrors = errors.sumThenReset();
            Map<String, Long> cpuAfter = cpu.sample();
            Map<String, Long> resident = cpu.residentBytes();
            Map<String, Long> reasons = new TreeMap<>();
            failures.forEach((reason, count) -> reasons.put(reason, count.sum()));
            return new Measurement(target.name(), round, histogram.getTotalCount(), windowErrors, warmupErrors,
                    end - begin, histogram, CpuUsage.cores(cpuBefore, cpuAfter, end - begin), reasons, warmup,
                    target.messagesPerCall(), resident);
        } finally {
            stop();
        }
    }

    /**
     * Loads a target no call has reached yet for {@code length}, in steps of {@code step}, and
     * records how its throughput grew: the cold start after a deploy, seen from the first call.
     * Then stops and waits until every call in flight has ended.
     *
     * @param length how long to load it
     * @param step the length of each step of the curve
     * @return the curve, with the watched processes' peak resident memory
     * @throws InterruptedException if interrupted while the load runs
     */
    ColdStart coldStart(Duration length, Duration step) throws InterruptedException {
        Map<String, Long> peak = new TreeMap<>();
        running = true;
        inFlight.set(concurrency);
        Steps steps = new Steps();
        for (int i = 0; i < concurrency; i++) {
            issue();
        }
        try {
            while (steps.stepStart - steps.start < length.toNanos()) {
                TimeUnit.NANOSECONDS.sleep(steps.stepStart + step.toNanos() - System.nanoTime());
                steps.next();
                cpu.residentBytes().forEach((name, bytes) -> peak.merge(name, bytes, Math::max));
            }
            return new ColdStart(target.name(), step.toNanos(), steps.rates, steps.jitCores, peak, errors.sum());
        } finally {
            stop();
        }
    }

    // Compares the last COMPARED_STEPS steps with the ones before, not one step with the last: on
    // a shared machine a single step swings by more than the JIT's progress.
    private Warmup warmUp(Duration min, Duration max) throws InterruptedException {
        if (max.isZero()) {
            return Warmup.NONE;
        }
        long step = Math.max(MIN_WARMUP_STEP.toNanos(), Math.min(MAX_WARMUP_STEP.toNanos(), min.toNanos() / 2));
        Steps steps = new Steps();
        while (true) {
            TimeUnit.NANOSECONDS.sleep(Math.min(step, steps.start + max.toNanos() - steps.stepStart));
            long elapsed = steps.next();
            if (elapsed >= max.toNanos()) {
                return new Warmup(elapsed, steps.rates, steps.jitCores, "ended at the " + max.toSeconds() + " s limit");
            }
            if (elapsed >= min.toNanos() && !climbing(steps.rates) && !compiling(steps.jitCores)) {
                return new Warmup(elapsed, steps.rates, steps.jitCores, "ended on a plateau, JIT idle");
            }
        }
    }

    // Throughput and JIT compiler cores step by step, from when it is made.
    private final class Steps {
        final List<Double> rates = new ArrayList<>();
        final List<Double> jitCores = new ArrayList<>();
        final long start = System.nanoTime();
        long stepStart = start;
        long stepAnswered = answered.sum();
        long stepJit = cpu.compilerNanos();

        // Ends the step under way, records its figures and starts the next; returns the time since the first.
        long next() {
            long now = System.nanoTime();
            long nowAnswered = answered.sum();
            long nowJit = cpu.compilerNanos();
            rates.add((nowAnswered - stepAnswered) * 1e9 / (now - stepStart));
            jitCores.add((nowJit - stepJit) / (double) (now - stepStart));
            stepStart = now;
            stepAnswered = nowAnswered;
            stepJit = nowJit;
            return now - start;
        }
    }

    /**
     * Tells whether throughput still climbs: the last {@value #COMPARED_STEPS} steps beat the
     * ones before them by more than {@value #CLIMBING_PERCENT}%, or there are too few steps to tell.
     *
     * @param steps throughput of each step so far
     * @return true while the warm-up should go on
     */
    static boolean climbing(List<Double> steps) {
        int n = steps.size();
        if (n < 2 * COMPARED_STEPS) {
            return true;
        }
        double recent = 0;
        double before = 0;
        for (int i = 0; i < COMPARED_STEPS; i++) {
            recent += steps.get(n - 1 - i);
            before += steps.get(n - 1 - COMPARED_STEPS - i);
        }
        return recent > before * (1 + CLIMBING_PERCENT / 100.0);
    }

    /**
     * Tells whether the JIT compilers still work: over the last {@value #COMPARED_STEPS} steps they
     * used more than {@value #JIT_BUSY_CORES} of a core on average. A cold gateway's throughput can
     * sit flat for a while as the compilers work through their queue, then jump.
     *
     * @param jitCores compiler cores used in each step so far
     * @return true while the warm-up should go on
     */
    static boolean compiling(List<Double> jitCores) {
        int n = jitCores.size();
        int counted = Math.min(n, COMPARED_STEPS);
        double sum = 0;
        for (int i = n - counted; i < n; i++) {
            sum += jitCores.get(i);
        }
        return counted > 0 && sum / counted > JIT_BUSY_CORES;
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
                answered.increment();
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
