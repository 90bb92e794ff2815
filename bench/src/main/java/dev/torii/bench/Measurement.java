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
 * @param messagesPerCall messages one correct answer stands for: 1 for unary calls, the number of
 *     streams an offer reaches for a streaming target
 * @param residentBytes resident memory of each watched process at the end of the window, by
 *     process name: what it holds under this load
 */
record Measurement(String target, int round, long requests, long errors, long warmupErrors, long elapsedNanos,
        Histogram latencies, Map<String, Double> cpuCores, Map<String, Long> failures, Warmup warmup,
        int messagesPerCall, Map<String, Long> residentBytes) {

    /**
     * Holds a window whose processes' memory was not sampled.
     */
    Measurement(String target, int round, long requests, long errors, long warmupErrors, long elapsedNanos,
            Histogram latencies, Map<String, Double> cpuCores, Map<String, Long> failures, Warmup warmup,
            int messagesPerCall) {
        this(target, round, requests, errors, warmupErrors, elapsedNanos, latencies, cpuCores, failures, warmup,
                messagesPerCall, Map.of());
    }

    /**
     * Holds a window of unary calls, one message each.
     */
    Measurement(String target, int round, long requests, long errors, long warmupErrors, long elapsedNanos,
            Histogram latencies, Map<String, Double> cpuCores, Map<String, Long> failures, Warmup warmup) {
        this(target, round, requests, errors, warmupErrors, elapsedNanos, latencies, cpuCores, failures, warmup, 1);
    }

    /**
     * Returns correct answers per second.
     *
     * @return the throughput
     */
    double requestsPerSecond() {
        return requests * 1e9 / elapsedNanos;
    }

    /**
     * Returns messages delivered per second: the throughput for unary calls, and
     * {@link #messagesPerCall()} times it for a streaming target, the figure streams are compared by.
     *
     * @return the message throughput
     */
    double messagesPerSecond() {
        return requestsPerSecond() * messagesPerCall;
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
     * Returns the CPU microseconds a process spent per message (per correct answer of a unary
     * call), or NaN when unknown.
     *
     * @param process a process name from {@link #cpuCores()}
     * @return CPU time per request or streamed message
     */
    double cpuMicrosPerRequest(String process) {
        Double cores = cpuCores.get(process);
        return cores == null || requests == 0 ? Double.NaN : cores * 1e6 / messagesPerSecond();
    }
}
