package dev.torii.bench.authority;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link ExchangeCacheBenchmark} with JMH and prints how a cache hit compares with a raw
 * RS256 verification measured in the same run. The bar: a hit costs at most 1/25 of it.
 */
public final class AuthorityBenchMain {

    private static final double BAR = 25.0;

    private AuthorityBenchMain() {}

    /**
     * Runs the benchmark.
     *
     * @param args none
     */
    public static void main(String[] args) throws RunnerException {
        int seconds = Integer.parseInt(System.getenv().getOrDefault("BENCH_JMH_SECONDS", "5"));
        Options options = new OptionsBuilder()
                .include(ExchangeCacheBenchmark.class.getName())
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(seconds))
                .jvmArgs("-Xms512m", "-Xmx512m")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        double cache = score(results, "exchangeFromCache");
        double raw = score(results, "rawRs256Verification");
        double ratio = raw / cache;
        System.out.printf(Locale.ROOT, "%nauthority: exchange from cache %.0f ns, raw Nimbus RS256 verification %.0f ns:"
                + " a cache hit costs 1/%.1f of a verification (bar: at most 1/%.0f) %s%n",
                cache, raw, ratio, BAR, ratio >= BAR ? "PASS" : "BELOW BAR");
    }

    private static double score(Collection<RunResult> results, String method) {
        return results.stream()
                .filter(r -> r.getParams().getBenchmark().endsWith("." + method))
                .mapToDouble(r -> r.getPrimaryResult().getScore())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + method));
    }
}
