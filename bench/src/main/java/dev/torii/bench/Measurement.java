package dev.torii.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Holds what one measured window against one target saw.
 *
 * @param target the target's name
 * @param round the round, from 1
 * @param requests calls answered correctly within the window
 * @param errors calls that failed within the window
 * @param warmupErrors calls that failed during the warm-up before the window
 * @param elapsedNanos the window's length
 * @param latencies latency of each correct answer, in nanoseconds
 * @param cpuCores cores used on average during the window, by process name
 * @param failures distinct failure reasons with their counts, warm-up included
 * @param warmup the warm-up before the window
 */
record Measurement(String target, int round, long requests, long errors, long warmupErrors, long elapsedNanos,
        Histogram latencies, Map<String, Double> cpuCores, Map<String, Long> failures, Warmup warmup) {

    /**
     * Returns correct answers per second.
     *
     * @return the throughput
     */
    double requestsPerSecond() {
        return requests * 1e9 / elapsedNanos;
    }

    /**
     * Returns the share of calls that failed; a window with no call at all counts as all failed.
     *
     * @return errors over calls, 0 to 1
     */
    double errorRate() {
        long calls = requests + errors;
        return calls == 0 ? 1.0 : errors / (double) calls;
    }

    /**
     * Returns a latency percentile in milliseconds.
     *
     * @param percentile 0 to 100
     * @return the latency at that percentile
     */
    double latencyMillis(double percentile) {
        return latencies.getValueAtPercentile(percentile) / 1e6;
    }

    /**
     * Returns the CPU microseconds a process spent per correct answer, or NaN when unknown.
     *
     * @param process a process name from {@link #cpuCores()}
     * @return CPU time per request
     */
    double cpuMicrosPerRequest(String process) {
        Double cores = cpuCores.get(process);
        return cores == null || requests == 0 ? Double.NaN : cores * 1e6 / requestsPerSecond();
    }
}
