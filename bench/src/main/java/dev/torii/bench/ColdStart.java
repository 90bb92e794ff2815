package dev.torii.bench;

import java.util.List;
import java.util.Map;

/**
 * Describes how a freshly started server's throughput grew under a steady closed-loop load, second
 * by second from the first call: how long it took to reach most of its plateau, the price of
 * every deploy and scale-up while the JIT compiles the request path.
 *
 * @param target the cold target's name
 * @param stepNanos the length of each step
 * @param requestsPerSecond throughput of each step, from the first call on
 * @param jitCores cores the JIT compilers of the driver and the watched JVMs used in each step
 * @param peakResidentBytes the highest resident memory of each watched process seen at the end of
 *     a step, by process name
 * @param errors calls that failed during the whole load
 */
record ColdStart(String target, long stepNanos, List<Double> requestsPerSecond, List<Double> jitCores,
        Map<String, Long> peakResidentBytes, long errors) {

    /** The share of the plateau the warm-up figure counts up to. */
    static final double SHARE_OF_PLATEAU = 0.9;
    /** Steps in a row that must each reach that share, so one lucky step does not count. */
    static final int STEPS_IN_A_ROW = 3;
    /** The plateau is the mean throughput of this last share of the steps. */
    static final double PLATEAU_TAIL = 0.25;

    ColdStart {
        requestsPerSecond = List.copyOf(requestsPerSecond);
        jitCores = List.copyOf(jitCores);
        peakResidentBytes = Map.copyOf(peakResidentBytes);
    }

    /**
     * Returns the plateau: the mean throughput of the last {@value #PLATEAU_TAIL} of the steps, at
     * least one step.
     *
     * @return requests per second, NaN without steps
     */
    double plateau() {
        int n = requestsPerSecond.size();
        if (n == 0) {
            return Double.NaN;
        }
        int tail = Math.max(1, (int) Math.round(n * PLATEAU_TAIL));
        double sum = 0;
        for (int i = n - tail; i < n; i++) {
            sum += requestsPerSecond.get(i);
        }
        return sum / tail;
    }

    /**
     * Returns the seconds from the first call to the end of the first step of
     * {@value #STEPS_IN_A_ROW} in a row (or of all the steps left, if fewer) that each reach
     * {@value #SHARE_OF_PLATEAU} of the {@link #plateau()}.
     *
     * @return seconds to 90 % of plateau, NaN without steps
     */
    double secondsToPlateau() {
        double bar = plateau() * SHARE_OF_PLATEAU;
        int n = requestsPerSecond.size();
        for (int i = 0; i < n; i++) {
            boolean reached = true;
            for (int j = i; j < Math.min(n, i + STEPS_IN_A_ROW); j++) {
                reached &= requestsPerSecond.get(j) >= bar;
            }
            if (reached) {
                return (i + 1) * stepNanos / 1e9;
            }
        }
        return Double.NaN;
    }

    /**
     * Returns the throughput in the first step: what the first second after readiness serves.
     *
     * @return requests per second, NaN without steps
     */
    double firstStep() {
        return requestsPerSecond.isEmpty() ? Double.NaN : requestsPerSecond.get(0);
    }
}
