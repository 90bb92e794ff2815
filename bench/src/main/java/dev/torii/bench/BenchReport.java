package dev.torii.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes the result of a run twice: a table for people and JSON for tools, with the same numbers.
 */
final class BenchReport {

    /** The name of the baseline target. */
    static final String DIRECT = "direct";
    /** The name of the target through the gateway. */
    static final String GATEWAY = "gateway";
    /** The throughput ratio the gateway must reach. */
    static final double RATIO_BAR = 0.35;
    /** The throughput ratio the product aims at. */
    static final double RATIO_GOAL = 0.5;

    private final BenchOptions options;
    private final BenchSummary summary;
    private final long gatewayConnections;

    /**
     * Creates a report.
     *
     * @param options the run's settings
     * @param summary the measured rounds
     * @param gatewayConnections HTTP connections the driver opened to the gateway in the whole run
     */
    BenchReport(BenchOptions options, BenchSummary summary, long gatewayConnections) {
        this.options = options;
        this.summary = summary;
        this.gatewayConnections = gatewayConnections;
    }

    /**
     * Prints the tables, the ratio and any failures.
     *
     * @param out where to print
     */
    void print(PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "%-7s %-8s %12s %9s %9s %8s%n", "round", "target", "requests/s", "p50 ms", "p99 ms",
                "errors");
        for (Measurement m : summary.measurements()) {
            row(out, Integer.toString(m.round()), m.target(), m.requestsPerSecond(), m.latencyMillis(50),
                    m.latencyMillis(99), m.errors());
        }
        for (String target : List.of(DIRECT, GATEWAY)) {
            Measurement best = summary.target(target).best();
            row(out, "best", target, best.requestsPerSecond(), best.latencyMillis(50), best.latencyMillis(99),
                    best.errors());
        }
        for (String target : List.of(DIRECT, GATEWAY)) {
            BenchSummary.TargetSummary t = summary.target(target);
            row(out, "median", target, t.medianRequestsPerSecond(), t.medianP50Millis(), t.medianP99Millis(),
                    t.errors());
        }

        List<String> processes = processes();
        out.println();
        out.println("CPU in the measured windows: cores used (CPU µs per request); 'softirq' is kernel network"
                + " work no process is charged for; 'machine' is every busy core, other tenants included");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-7s %-8s", "round", "target"));
        processes.forEach(p -> header.append(String.format(Locale.ROOT, " %18s", p)));
        out.println(header);
        for (Measurement m : summary.measurements()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-7d %-8s", m.round(), m.target()));
            for (String p : processes) {
                Double cores = m.cpuCores().get(p);
                String cell = cores == null ? "-" : CpuUsage.MACHINE.equals(p) || CpuUsage.SOFTIRQ.equals(p)
                        ? String.format(Locale.ROOT, "%.2f", cores)
                        : String.format(Locale.ROOT, "%.2f (%.0f)", cores, m.cpuMicrosPerRequest(p));
                line.append(String.format(Locale.ROOT, " %18s", cell));
            }
            out.println(line);
        }

        out.println();
        out.printf(Locale.ROOT, "gateway: %d HTTP/1.1 connections opened in the whole run (pool of %d)%n",
                gatewayConnections, options.concurrency());
        for (Measurement m : summary.measurements()) {
            if (m.warmupErrors() > 0 || !m.failures().isEmpty()) {
                out.printf(Locale.ROOT, "round %d %s: %d errors measured, %d in warm-up; reasons: %s%n", m.round(),
                        m.target(), m.errors(), m.warmupErrors(), m.failures());
            }
        }
        double ratio = summary.medianRatio(GATEWAY, DIRECT);
        out.printf(Locale.ROOT, "ratio gateway/direct throughput = %.2f (median of %d rounds each; best rounds: %.2f)%n",
                ratio, options.rounds(), summary.bestRatio(GATEWAY, DIRECT));
        out.printf(Locale.ROOT, "bar >= %.2f: %s; product goal >= %.2f: %s%n", RATIO_BAR,
                ratio >= RATIO_BAR ? "met" : "NOT met", RATIO_GOAL, ratio >= RATIO_GOAL ? "met" : "not met");
    }

    /**
     * Describes a round's warm-up: its length, the throughput of each step and why it ended.
     *
     * @param m the round
     * @return for example {@code "15 s warm-up at 900, 4100, 4200 req/s, ended on a plateau, JIT idle"}
     */
    static String describeWarmup(Measurement m) {
        Warmup warmup = m.warmup();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%.0f s warm-up", warmup.nanos() / 1e9));
        List<Double> steps = warmup.requestsPerSecond();
        if (!steps.isEmpty()) {
            text.append(" at");
            for (int i = 0; i < steps.size(); i++) {
                text.append(i == 0 ? " " : ", ").append(String.format(Locale.ROOT, "%.0f", steps.get(i)));
            }
            text.append(" req/s");
        }
        return text.append(", ").append(warmup.end()).toString();
    }

    private static void row(PrintStream out, String round, String target, double rps, double p50, double p99,
            long errors) {
        out.printf(Locale.ROOT, "%-7s %-8s %12.0f %9.2f %9.2f %8d%n", round, target, rps, p50, p99, errors);
    }

    private List<String> processes() {
        Set<String> names = new LinkedHashSet<>();
        summary.measurements().forEach(m -> names.addAll(m.cpuCores().keySet()));
        // The kernel's share and the machine total read best last, after the processes.
        names.remove(CpuUsage.SOFTIRQ);
        names.remove(CpuUsage.MACHINE);
        List<String> ordered = new ArrayList<>(names);
        ordered.add(CpuUsage.SOFTIRQ);
        ordered.add(CpuUsage.MACHINE);
        return ordered;
    }

    /**
     * Renders the result as JSON.
     *
     * @return a JSON object with the settings, every round, the summary and the ratio
     */
    String toJson() {
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"settings\": {")
                .append("\"method\": ").append(string(GatewayHttpTarget.PATH))
                .append(", \"concurrency\": ").append(options.concurrency())
                .append(", \"minWarmupSeconds\": ").append(options.warmup().toSeconds())
                .append(", \"maxWarmupSeconds\": ").append(options.maxWarmup().toSeconds())
                .append(", \"measureSeconds\": ").append(options.window().toSeconds())
                .append(", \"rounds\": ").append(options.rounds())
                .append(", \"httpThreads\": ").append(options.httpThreads())
                .append(", \"availableProcessors\": ").append(Runtime.getRuntime().availableProcessors())
                .append(", \"serverJvmFlags\": ").append(string(options.serverJvmFlags()))
                .append("},\n");
        json.append("  \"rounds\": [\n");
        List<Measurement> measurements = summary.measurements();
        for (int i = 0; i < measurements.size(); i++) {
            Measurement m = measurements.get(i);
            json.append("    {\"round\": ").append(m.round())
                    .append(", \"target\": ").append(string(m.target()))
                    .append(", \"requestsPerSecond\": ").append(number(m.requestsPerSecond()))
                    .append(", \"p50Ms\": ").append(number(m.latencyMillis(50)))
                    .append(", \"p90Ms\": ").append(number(m.latencyMillis(90)))
                    .append(", \"p99Ms\": ").append(number(m.latencyMillis(99)))
                    .append(", \"maxMs\": ").append(number(m.latencies().getMaxValue() / 1e6))
                    .append(", \"requests\": ").append(m.requests())
                    .append(", \"errors\": ").append(m.errors())
                    .append(", \"warmupErrors\": ").append(m.warmupErrors())
                    .append(", \"seconds\": ").append(number(m.elapsedNanos() / 1e9))
                    .append(", \"cpuCores\": ").append(numbers(m.cpuCores()))
                    .append(", \"failures\": ").append(counts(m.failures()))
                    .append(", \"warmup\": {\"seconds\": ").append(number(m.warmup().nanos() / 1e9))
                    .append(", \"stepRequestsPerSecond\": ").append(list(m.warmup().requestsPerSecond()))
                    .append(", \"stepJitCores\": ").append(list(m.warmup().jitCores()))
                    .append(", \"end\": ").append(string(m.warmup().end())).append('}')
                    .append(i + 1 < measurements.size() ? "},\n" : "}\n");
        }
        json.append("  ],\n");
        json.append("  \"summary\": {");
        List<String> targets = List.of(DIRECT, GATEWAY);
        for (int i = 0; i < targets.size(); i++) {
            BenchSummary.TargetSummary t = summary.target(targets.get(i));
            Measurement best = t.best();
            json.append(i == 0 ? "\n" : ",\n").append("    ").append(string(t.target())).append(": {")
                    .append("\"medianRequestsPerSecond\": ").append(number(t.medianRequestsPerSecond()))
                    .append(", \"medianP50Ms\": ").append(number(t.medianP50Millis()))
                    .append(", \"medianP99Ms\": ").append(number(t.medianP99Millis()))
                    .append(", \"bestRound\": ").append(best.round())
                    .append(", \"bestRequestsPerSecond\": ").append(number(best.requestsPerSecond()))
                    .append(", \"bestP50Ms\": ").append(number(best.latencyMillis(50)))
                    .append(", \"bestP99Ms\": ").append(number(best.latencyMillis(99)))
                    .append(", \"errors\": ").append(t.errors())
                    .append("}");
        }
        json.append("\n  },\n");
        json.append("  \"gatewayConnectionsOpened\": ").append(gatewayConnections).append(",\n");
        json.append("  \"ratioGatewayToDirect\": {\"median\": ").append(number(summary.medianRatio(GATEWAY, DIRECT)))
                .append(", \"best\": ").append(number(summary.bestRatio(GATEWAY, DIRECT)))
                .append(", \"bar\": ").append(number(RATIO_BAR))
                .append(", \"goal\": ").append(number(RATIO_GOAL)).append("},\n");
        json.append("  \"errorBudget\": ").append(number(BenchSummary.ERROR_BUDGET))
                .append(",\n  \"withinErrorBudget\": ").append(summary.overErrorBudget().isEmpty()).append("\n}\n");
        return json.toString();
    }

    private static String numbers(Map<String, Double> values) {
        StringBuilder json = new StringBuilder("{");
        values.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append(string(k)).append(": ")
                .append(number(v)));
        return json.append('}').toString();
    }

    private static String list(List<Double> values) {
        StringBuilder json = new StringBuilder("[");
        values.forEach(v -> json.append(json.length() > 1 ? ", " : "").append(number(v)));
        return json.append(']').toString();
    }

    private static String counts(Map<String, Long> values) {
        StringBuilder json = new StringBuilder("{");
        values.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append(string(k)).append(": ").append(v));
        return json.append('}').toString();
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null";
    }

    private static String string(String value) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
