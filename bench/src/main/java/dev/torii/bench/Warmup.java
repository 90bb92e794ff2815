package dev.torii.bench;

import java.util.List;

/**
 * Describes the warm-up before one measured window: how long it took, how throughput and the JIT
 * compilers' work developed step by step, and why it ended.
 *
 * @param nanos how long the warm-up lasted
 * @param requestsPerSecond throughput of each step
 * @param jitCores cores the JIT compilers of the driver and the watched JVMs used in each step
 * @param end why the warm-up ended, for the report
 */
record Warmup(long nanos, List<Double> requestsPerSecond, List<Double> jitCores, String end) {

    /** Describes a warm-up that did not run. */
    static final Warmup NONE = new Warmup(0, List.of(), List.of(), "no warm-up");

    Warmup {
        requestsPerSecond = List.copyOf(requestsPerSecond);
        jitCores = List.copyOf(jitCores);
    }
}
