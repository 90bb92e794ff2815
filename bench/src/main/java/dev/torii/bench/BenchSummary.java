package dev.torii.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Condenses the rounds into what the report states: per target the best round and the median of
 * the rounds, throughput ratios between targets, and the rounds over the error budget.
 */
final class BenchSummary {

    /** The largest share of failed calls a round may have before the run fails. */
    static final double ERROR_BUDGET = 0.001;

    private final List<Measurement> measurements;

    /**
     * Creates a summary.
     *
     * @param measurements every measured round of every target
     */
    BenchSummary(List<Measurement> measurements) {
        this.measurements = List.copyOf(measurements);
    }

    /**
     * Returns every measured round, in the order they ran.
     *
     * @return the rounds
     */
    List<Measurement> measurements() {
        return measurements;
    }

    /**
     * Returns the names of the measured targets, in the order they first ran.
     *
     * @return distinct target names
     */
    List<String> targets() {
        return measurements.stream().map(Measurement::target).distinct().toList();
    }

    /**
     * Returns the rounds of one target.
     *
     * @param target the target's name
     * @return its summary
     * @throws IllegalArgumentException if no round measured {@code target}
     */
    TargetSummary target(String target) {
        List<Measurement> rounds = measurements.stream().filter(m -> m.target().equals(target)).toList();
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("target '" + target + "' (expected: one of the measured targets)");
        }
        return new TargetSummary(target, rounds);
    }

    /**
     * Returns the median throughput of {@code numerator} over that of {@code denominator}.
     *
     * @param numerator the target on top, such as the gateway
     * @param denominator the baseline
     * @return the ratio
     */
    double medianRatio(String numerator, String denominator) {
        return target(numerator).medianRequestsPerSecond() / target(denominator).medianRequestsPerSecond();
    }

    /**
     * Returns the best throughput of {@code numerator} over the best of {@code denominator}.
     *
     * @param numerator the target on top, such as the gateway
     * @param denominator the baseline
     * @return the ratio
     */
    double bestRatio(String numerator, String denominator) {
        return target(numerator).best().messagesPerSecond() / target(denominator).best().messagesPerSecond();
    }

    /**
     * Returns the rounds whose share of failed calls exceeds {@link #ERROR_BUDGET}.
     *
     * @return the failing rounds, empty when the run is clean enough
     */
    List<Measurement> overErrorBudget() {
        return measurements.stream().filter(m -> m.errorRate() > ERROR_BUDGET).toList();
    }

    /**
     * Returns the median of some values: the middle one, or the mean of the two middle ones.
     *
     * @param values at least one value
     * @return the median
     */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("values: empty (expected: at least one)");
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /**
     * Holds the rounds of one target.
     *
     * @param target the target's name
     * @param rounds its rounds, at least one
     */
    record TargetSummary(String target, List<Measurement> rounds) {

        /**
         * Returns the round with the highest throughput.
         *
         * @return the best round
         */
        Measurement best() {
            return rounds.stream().max(Comparator.comparingDouble(Measurement::messagesPerSecond)).orElseThrow();
        }

        /**
         * Returns the median throughput of the rounds.
         *
         * @return requests per second, or streamed messages per second for a streaming target
         */
        double medianRequestsPerSecond() {
            return medianOf(Measurement::messagesPerSecond);
        }

        /**
         * Returns the median over the rounds of their p50 latency.
         *
         * @return milliseconds
         */
        double medianP50Millis() {
            return medianOf(m -> m.latencyMillis(50));
        }

        /**
         * Returns the median over the rounds of their p99 latency.
         *
         * @return milliseconds
         */
        double medianP99Millis() {
            return medianOf(m -> m.latencyMillis(99));
        }

        /**
         * Returns the median over the rounds of the CPU microseconds a process spent per request,
         * leaving out rounds that could not tell.
         *
         * @param process a process name, as in {@link Measurement#cpuCores()}
         * @return microseconds, or NaN when no round knows the process
         */
        double medianCpuMicrosPerRequest(String process) {
            List<Double> known = rounds.stream().map(m -> m.cpuMicrosPerRequest(process))
                    .filter(Double::isFinite).toList();
            return known.isEmpty() ? Double.NaN : median(known);
        }

        /**
         * Returns the failed calls of every measured window.
         *
         * @return the count
         */
        long errors() {
            return rounds.stream().mapToLong(Measurement::errors).sum();
        }

        private double medianOf(ToDoubleFunction<Measurement> value) {
            return median(rounds.stream().map(m -> value.applyAsDouble(m)).toList());
        }
    }
}
