package dev.torii.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the result of a run twice: a table for people and JSON for tools, with the same numbers.
 */
final class BenchReport {

    /** The name of the baseline target. */
    static final String DIRECT = "direct";
    /** The name of the target through the gateway, on a public route. */
    static final String GATEWAY = "gateway";
    /** The name of the target through a gateway whose route requires a user, with a credential. */
    static final String GATEWAY_AUTH = "gateway-auth";
    /**
     * The name of the target through a gateway whose route is the public one with a rate limit in
     * Redis and the upstream's circuit breaker on.
     */
    static final String GATEWAY_TRAFFIC = "gateway-traffic";
    /** The name of the target through the same gateway as {@link #GATEWAY}, over h2c. */
    static final String GATEWAY_H2C = "gateway-h2c";
    /** The name of the target through the same gateway as {@link #GATEWAY}, as Connect binary unary calls. */
    static final String CONNECT = "connect";
    /** The name of the target through the same gateway as {@link #GATEWAY}, with JSON bodies in the legacy dialect. */
    static final String JSON = "json";
    /**
     * The name of the target through the same gateway as {@link #GATEWAY}, as REST: a GET of the
     * offer's path from {@code google.api.http}, answered in JSON.
     */
    static final String REST = "rest";
    /** The name of the direct call made through the plain gateway: grpc-java over h2c, native gRPC. */
    static final String GRPC = "grpc";
    /** The name of the direct call made to an nginx grpc_pass proxy of the offer service. */
    static final String NGINX = "nginx";
    /** The name of the direct call made to an HAProxy HTTP/2 proxy of the offer service. */
    static final String HAPROXY = "haproxy";
    /** The name of the WatchOffers streams straight on the offer service. */
    static final String STREAM_DIRECT = "stream-direct";
    /** The name of the WatchOffers streams through the gateway, as Connect streams. */
    static final String STREAM_GATEWAY = "stream-gateway";
    /** The name of the WatchOffers streams through the gateway as native gRPC (grpc-java over h2c). */
    static final String STREAM_GRPC = "stream-grpc";
    /**
     * The name of the plain gateway's call to a second gateway started on the production heap, whose
     * cold start is followed before it joins the rounds.
     */
    static final String GATEWAY_SMALL = "gateway-small";
    /** The targets of the open-loop latency rounds, in the report's order; direct is the baseline. */
    static final List<String> LATENCY_TARGETS = List.of("direct", "nginx", "haproxy", "grpc", "gateway",
            "gateway-h2c");
    /** The most seconds from the first call to 90 % of plateau (issue 17). */
    static final double COLD_START_GOAL_SECONDS = 10;
    /** The most resident memory on the production heap at saturation, in MiB (issue 17). */
    static final double RESIDENT_GOAL_MIB = 300;
    /** The most latency the gateway may add over direct, as a multiple of what HAProxy adds (issue 17). */
    static final double ADDED_LATENCY_GOAL_TIMES_HAPROXY = 2;
    /** The throughput ratio the gateway must reach. */
    static final double RATIO_BAR = 0.35;
    /** The throughput ratio the product aims at. */
    static final double RATIO_GOAL = 0.5;
    /** The share of the public route's throughput the authenticated route must keep (cache hits). */
    static final double AUTH_RATIO_BAR = 0.9;
    /** The share of the public route's throughput the route must keep with rate limit and circuit breaker on. */
    static final double TRAFFIC_RATIO_BAR = 0.85;

    /**
     * The ratios the summary table states, in its order: the figure, its goal (NaN for a figure
     * shown for context) and where the goal comes from.
     */
    static final List<Ratio> RATIOS = List.of(
            new Ratio(GATEWAY, DIRECT, RATIO_GOAL, "issue 17"),
            new Ratio(GATEWAY_H2C, DIRECT, RATIO_GOAL, "issue 17"),
            new Ratio(NGINX, DIRECT, Double.NaN, "context"),
            new Ratio(HAPROXY, DIRECT, Double.NaN, "context"),
            new Ratio(GATEWAY, NGINX, 1.3, "issue 17"),
            new Ratio(GATEWAY_H2C, NGINX, 1.3, "issue 17"),
            new Ratio(GATEWAY, HAPROXY, 0.8, "issue 17"),
            new Ratio(GATEWAY_H2C, HAPROXY, 0.8, "issue 17"),
            new Ratio(GATEWAY_H2C, GATEWAY, Double.NaN, "context"),
            new Ratio(GATEWAY_SMALL, GATEWAY, 0.95, "issue 17"),
            new Ratio(JSON, GATEWAY, Double.NaN, "context"),
            new Ratio(CONNECT, GATEWAY, 0.95, "issue 13"),
            new Ratio(STREAM_GATEWAY, STREAM_DIRECT, 0.5, "issue 13"),
            new Ratio(GRPC, DIRECT, 0.5, "issue 14"),
            new Ratio(STREAM_GRPC, STREAM_DIRECT, 0.5, "issue 14"),
            new Ratio(REST, JSON, 0.9, "issue 15"),
            new Ratio(GATEWAY_AUTH, GATEWAY, AUTH_RATIO_BAR, "bar"),
            new Ratio(GATEWAY_TRAFFIC, GATEWAY, TRAFFIC_RATIO_BAR, "bar"));

    /**
     * Names one throughput ratio of the summary.
     *
     * @param numerator the target on top
     * @param denominator the baseline
     * @param goal the least value wanted; NaN when the figure is there for context
     * @param source where the goal comes from, such as {@code issue 17}
     */
    record Ratio(String numerator, String denominator, double goal, String source) {

        /**
         * Returns the ratio's name, such as {@code gateway/direct}.
         *
         * @return numerator/denominator
         */
        String name() {
            return numerator + "/" + denominator;
        }
    }

    /**
     * Counts the connections the driver opened to one gateway target.
     *
     * @param opened connections opened in the whole run
     * @param intended connections the target means to hold: its pool size
     * @param protocol {@code HTTP/1.1} or {@code h2c}
     */
    record Connections(long opened, int intended, String protocol) {}

    private final BenchOptions options;
    private final BenchSummary summary;
    private final Map<String, Connections> connections;
    private final Optional<ColdStart> coldStart;
    private final List<OpenLoopLoad.Latency> latencies;

    /**
     * Creates a report without a cold start or latency rounds.
     *
     * @param options the run's settings
     * @param summary the measured rounds
     * @param connections HTTP connections the driver opened to each gateway target in the whole run
     */
    BenchReport(BenchOptions options, BenchSummary summary, Map<String, Connections> connections) {
        this(options, summary, connections, Optional.empty(), List.of());
    }

    /**
     * Creates a report.
     *
     * @param options the run's settings
     * @param summary the measured rounds
     * @param connections HTTP connections the driver opened to each gateway target in the whole run
     * @param coldStart the cold start of gateway-small, when it ran
     * @param latencies the open-loop latency rounds, in the order they ran
     */
    BenchReport(BenchOptions options, BenchSummary summary, Map<String, Connections> connections,
            Optional<ColdStart> coldStart, List<OpenLoopLoad.Latency> latencies) {
        this.options = options;
        this.summary = summary;
        this.connections = Map.copyOf(connections);
        this.coldStart = coldStart;
        this.latencies = List.copyOf(latencies);
    }

    /**
     * Prints the tables, the ratios and any failures.
     *
     * @param out where to print
     */
    void print(PrintStream out) {
        List<String> targets = summary.targets();
        out.println();
        out.printf(Locale.ROOT, "%-7s %-15s %12s %9s %9s %8s%n", "round", "target", "requests/s", "p50 ms", "p99 ms",
                "errors");
        for (Measurement m : summary.measurements()) {
            row(out, Integer.toString(m.round()), m.target(), m.messagesPerSecond(), m.latencyMillis(50),
                    m.latencyMillis(99), m.errors());
        }
        for (String target : targets) {
            Measurement best = summary.target(target).best();
            row(out, "best", target, best.messagesPerSecond(), best.latencyMillis(50), best.latencyMillis(99),
                    best.errors());
        }
        for (String target : targets) {
            BenchSummary.TargetSummary t = summary.target(target);
            row(out, "median", target, t.medianRequestsPerSecond(), t.medianP50Millis(), t.medianP99Millis(),
                    t.errors());
        }

        for (String target : targets) {
            Measurement first = summary.target(target).rounds().get(0);
            if (first.messagesPerCall() > 1) {
                out.printf(Locale.ROOT, "%s: messages/s (not requests) over %d streams; latency from CreateOffer"
                        + " to the offer's arrival on the last stream%n", target, first.messagesPerCall());
            }
        }

        List<String> processes = processes();
        out.println();
        out.println("CPU in the measured windows: cores used (CPU µs per request); 'softirq' is kernel network"
                + " work no process is charged for; 'machine' is every busy core, other tenants included");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-7s %-15s", "round", "target"));
        processes.forEach(p -> header.append(String.format(Locale.ROOT, " %18s", p)));
        out.println(header);
        for (Measurement m : summary.measurements()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-7d %-15s", m.round(), m.target()));
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
        out.println("CPU µs per request (per message for stream targets), median of the rounds");
        StringBuilder perRequestHeader = new StringBuilder(String.format(Locale.ROOT, "%-7s %-15s", "", "target"));
        processes.forEach(p -> perRequestHeader.append(String.format(Locale.ROOT, " %18s", p)));
        out.println(perRequestHeader);
        for (String target : targets) {
            BenchSummary.TargetSummary t = summary.target(target);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-7s %-15s", "median", target));
            for (String p : processes) {
                double micros = t.medianCpuMicrosPerRequest(p);
                line.append(String.format(Locale.ROOT, " %18s",
                        Double.isFinite(micros) ? String.format(Locale.ROOT, "%.0f", micros) : "-"));
            }
            out.println(line);
        }

        out.println();
        for (String target : targets) {
            Connections c = connections.get(target);
            if (c != null) {
                out.printf(Locale.ROOT, "%s: %d %s connections opened in the whole run (pool of %d)%n",
                        target, c.opened(), c.protocol(), c.intended());
            }
        }
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
        if (targets.contains(GATEWAY_AUTH)) {
            double authRatio = summary.medianRatio(GATEWAY_AUTH, GATEWAY);
            out.printf(Locale.ROOT, "ratio authenticated/unauthenticated gateway throughput (gateway-auth/gateway)"
                    + " = %.2f (median of %d rounds each; best rounds: %.2f)%n", authRatio, options.rounds(),
                    summary.bestRatio(GATEWAY_AUTH, GATEWAY));
            out.printf(Locale.ROOT, "bar >= %.2f: %s%n", AUTH_RATIO_BAR,
                    authRatio >= AUTH_RATIO_BAR ? "met" : "NOT met");
            String extra = extraCpu(GATEWAY_AUTH);
            if (!extra.isEmpty()) {
                out.println("authenticated path, CPU µs per request beyond the public route's (medians): " + extra);
            }
        }
        if (targets.contains(GATEWAY_TRAFFIC)) {
            double trafficRatio = summary.medianRatio(GATEWAY_TRAFFIC, GATEWAY);
            out.printf(Locale.ROOT, "ratio rate limit (Redis) and circuit breaker on/off gateway throughput"
                    + " (gateway-traffic/gateway) = %.2f (median of %d rounds each; best rounds: %.2f)%n",
                    trafficRatio, options.rounds(), summary.bestRatio(GATEWAY_TRAFFIC, GATEWAY));
            out.printf(Locale.ROOT, "bar >= %.2f: %s%n", TRAFFIC_RATIO_BAR,
                    trafficRatio >= TRAFFIC_RATIO_BAR ? "met" : "NOT met");
            String extra = extraCpu(GATEWAY_TRAFFIC);
            if (!extra.isEmpty()) {
                out.println("rate limit (Redis) and circuit breaker, CPU µs per request beyond the plain route's"
                        + " (medians): " + extra);
            }
        }
        printSummary(out);
        printLatency(out);
        printFigures(out);
    }

    // The open-loop rounds: each target's latency, and what it adds over direct at the same rate.
    private void printLatency(PrintStream out) {
        if (latencies.isEmpty()) {
            return;
        }
        out.println();
        out.printf(Locale.ROOT, "latency at fixed rates (open loop, from when each call was due; %d s recorded"
                + " per target and rate); 'added' is over direct at the same rate%n", options.latencyWindow()
                .toSeconds());
        out.printf(Locale.ROOT, "%7s %-15s %8s %8s %8s %8s %11s %11s %11s %7s%n", "req/s", "target", "mean ms",
                "p50 ms", "p99 ms", "fastest", "added mean", "added p50", "added p99", "errors");
        for (OpenLoopLoad.Latency l : latencies) {
            Optional<OpenLoopLoad.Latency> direct = latency(DIRECT, l.rate());
            out.printf(Locale.ROOT, "%7d %-15s %8.2f %8.2f %8.2f %8.2f %11s %11s %11s %7d%n", l.rate(), l.target(),
                    l.meanMillis(), l.millis(50), l.millis(99), l.minMillis(),
                    added(l.meanMillis(), direct.map(OpenLoopLoad.Latency::meanMillis)),
                    added(l.millis(50), direct.map(d -> d.millis(50))),
                    added(l.millis(99), direct.map(d -> d.millis(99))), l.errors());
        }
    }

    private static String added(double value, Optional<Double> baseline) {
        return baseline.map(b -> String.format(Locale.ROOT, "%+.2f", value - b)).orElse("-");
    }

    private Optional<OpenLoopLoad.Latency> latency(String target, int rate) {
        return latencies.stream().filter(l -> l.target().equals(target) && l.rate() == rate).findFirst();
    }

    /**
     * Returns issue 17's figures, each with its goal and whether this run met it; a figure whose
     * targets did not run is left out.
     *
     * @return the figures, in the order
     */
    List<Figure> figures() {
        List<Figure> figures = new ArrayList<>();
        List<String> targets = summary.targets();
        for (String baseline : List.of(DIRECT, NGINX, HAPROXY)) {
            Ratio ratio = RATIOS.stream().filter(r -> r.numerator().equals(GATEWAY) && r.denominator().equals(baseline))
                    .findFirst().orElseThrow();
            if (targets.contains(GATEWAY) && targets.contains(baseline)) {
                double median = summary.medianRatio(GATEWAY, baseline);
                figures.add(new Figure(ratio.name() + " throughput", median, ">= " + ratio.goal(),
                        median >= ratio.goal()));
            }
        }
        coldStart.ifPresent(c -> figures.add(new Figure(c.target() + " seconds from its first call to 90 % of"
                + " plateau", c.secondsToPlateau(), "<= " + COLD_START_GOAL_SECONDS,
                c.secondsToPlateau() <= COLD_START_GOAL_SECONDS)));
        if (targets.contains(GATEWAY_SMALL)) {
            double mib = peakResidentMib(GATEWAY_SMALL);
            figures.add(new Figure(GATEWAY_SMALL + " resident MiB at saturation", mib, "<= " + RESIDENT_GOAL_MIB,
                    mib <= RESIDENT_GOAL_MIB));
            if (targets.contains(GATEWAY)) {
                double ratio = summary.medianRatio(GATEWAY_SMALL, GATEWAY);
                figures.add(new Figure(GATEWAY_SMALL + "/" + GATEWAY + " throughput", ratio, ">= 0.95",
                        ratio >= 0.95));
            }
        }
        for (int rate : options.latencyRates()) {
            Optional<OpenLoopLoad.Latency> direct = latency(DIRECT, rate);
            Optional<OpenLoopLoad.Latency> haproxy = latency(HAPROXY, rate);
            if (direct.isEmpty() || haproxy.isEmpty()) {
                continue;
            }
            double haproxyAdded = haproxy.get().meanMillis() - direct.get().meanMillis();
            for (String target : List.of(GATEWAY, GATEWAY_H2C, GRPC)) {
                latency(target, rate).ifPresent(l -> {
                    double added = l.meanMillis() - direct.get().meanMillis();
                    double bar = ADDED_LATENCY_GOAL_TIMES_HAPROXY * Math.max(haproxyAdded, 0);
                    figures.add(new Figure(String.format(Locale.ROOT, "%s mean ms added over direct at %d req/s",
                            target, rate), added, String.format(Locale.ROOT, "<= %.2f (2x haproxy's %+.2f)", bar,
                            haproxyAdded), added <= bar));
                });
            }
            double haproxyFastest = haproxy.get().minMillis();
            latency(GATEWAY, rate).ifPresent(l -> figures.add(new Figure(String.format(Locale.ROOT,
                    "%s fastest answer ms at %d req/s", GATEWAY, rate), l.minMillis(),
                    String.format(Locale.ROOT, "<= %.2f (2x haproxy's %.2f)",
                            ADDED_LATENCY_GOAL_TIMES_HAPROXY * haproxyFastest, haproxyFastest),
                    l.minMillis() <= ADDED_LATENCY_GOAL_TIMES_HAPROXY * haproxyFastest)));
        }
        return figures;
    }

    /**
     * States one of issue 17's figures.
     *
     * @param name what is measured
     * @param value this run's value
     * @param goal the goal, as text
     * @param met whether the value meets it
     */
    record Figure(String name, double value, String goal, boolean met) {}

    // The highest resident memory of a process at the end of any measured window of its own target.
    private double peakResidentMib(String process) {
        long peak = summary.target(process).rounds().stream()
                .mapToLong(m -> m.residentBytes().getOrDefault(process, 0L)).max().orElse(0);
        if (coldStart.isPresent() && coldStart.get().target().equals(process)) {
            peak = Math.max(peak, coldStart.get().peakResidentBytes().getOrDefault(process, 0L));
        }
        return peak / (1024.0 * 1024.0);
    }

    private void printFigures(PrintStream out) {
        List<Figure> figures = figures();
        if (figures.isEmpty()) {
            return;
        }
        out.println();
        out.println("issue 17's figures, this run");
        for (Figure f : figures) {
            out.printf(Locale.ROOT, "%-62s %9.2f  %-32s %s%n", f.name(), f.value(), f.goal(),
                    f.met() ? "met" : "NOT met");
        }
    }

    /**
     * Describes a cold start: seconds to 90 % of plateau, the plateau and the first seconds.
     *
     * @param c the cold start
     * @return for example {@code "90 % of its 3400 req/s plateau after 12 s; first seconds 300, 900, ..."}
     */
    static String describeColdStart(ColdStart c) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "90 %% of its %.0f req/s plateau (the"
                + " last quarter's mean) after %.0f s; per second:", c.plateau(), c.secondsToPlateau()));
        List<Double> steps = c.requestsPerSecond();
        for (int i = 0; i < steps.size(); i++) {
            text.append(i == 0 ? " " : ", ").append(String.format(Locale.ROOT, "%.0f", steps.get(i)));
        }
        return text.append("; ").append(c.errors()).append(" errors").toString();
    }

    // The figures the issues set goals for, side by side; a ratio whose targets did not both run is left out.
    private void printSummary(PrintStream out) {
        List<Ratio> ratios = measuredRatios();
        out.println();
        out.printf(Locale.ROOT, "summary: throughput ratios, median of %d rounds each (and of the best rounds);"
                + " stream targets count messages%n", options.rounds());
        out.printf(Locale.ROOT, "%-30s %8s %8s %9s  %s%n", "figure", "median", "best", "goal", "");
        for (Ratio ratio : ratios) {
            double median = summary.medianRatio(ratio.numerator(), ratio.denominator());
            String goal = Double.isNaN(ratio.goal()) ? "-" : String.format(Locale.ROOT, ">= %.2f", ratio.goal());
            String verdict = Double.isNaN(ratio.goal()) ? ratio.source()
                    : (median >= ratio.goal() ? "met" : "NOT met") + " (" + ratio.source() + ")";
            out.printf(Locale.ROOT, "%-30s %8.2f %8.2f %9s  %s%n", ratio.name(), median,
                    summary.bestRatio(ratio.numerator(), ratio.denominator()), goal, verdict);
        }
        out.printf(Locale.ROOT, "%-30s %8s %8s%n", "target", "median/s", "best/s");
        for (String target : summary.targets()) {
            BenchSummary.TargetSummary t = summary.target(target);
            out.printf(Locale.ROOT, "%-30s %8.0f %8.0f%n", target + (t.rounds().get(0).messagesPerCall() > 1
                    ? " (messages)" : ""), t.medianRequestsPerSecond(), t.best().messagesPerSecond());
        }
    }

    private List<Ratio> measuredRatios() {
        List<String> targets = summary.targets();
        return RATIOS.stream()
                .filter(r -> targets.contains(r.numerator()) && targets.contains(r.denominator()))
                .toList();
    }

    // What a gateway target's path costs each process beyond the plain public route; the gateway
    // under load is compared with the gateway under load, so each target is charged to its own
    // process (each gateway target runs in a process of its name).
    private String extraCpu(String target) {
        BenchSummary.TargetSummary open = summary.target(GATEWAY);
        BenchSummary.TargetSummary other = summary.target(target);
        List<String> parts = new ArrayList<>();
        double openGateway = open.medianCpuMicrosPerRequest(GATEWAY);
        double otherGateway = other.medianCpuMicrosPerRequest(target);
        if (Double.isFinite(openGateway) && Double.isFinite(otherGateway)) {
            parts.add(String.format(Locale.ROOT, "gateway %+.0f (%.0f vs %.0f)", otherGateway - openGateway,
                    otherGateway, openGateway));
        }
        for (String p : processes()) {
            // The peers idle while the gateways are loaded.
            if (List.of(GATEWAY, GATEWAY_AUTH, GATEWAY_TRAFFIC, NGINX, HAPROXY, CpuUsage.SOFTIRQ).contains(p)) {
                continue;
            }
            double before = open.medianCpuMicrosPerRequest(p);
            double after = other.medianCpuMicrosPerRequest(p);
            if (Double.isFinite(before) && Double.isFinite(after)) {
                parts.add(String.format(Locale.ROOT, "%s %+.0f (%.0f vs %.0f)", p, after - before, after, before));
            }
        }
        return String.join(", ", parts);
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
                text.append(i == 0 ? " " : ", ")
                        .append(String.format(Locale.ROOT, "%.0f", steps.get(i) * m.messagesPerCall()));
            }
            text.append(m.messagesPerCall() > 1 ? " messages/s" : " req/s");
        }
        return text.append(", ").append(warmup.end()).toString();
    }

    private static void row(PrintStream out, String round, String target, double rps, double p50, double p99,
            long errors) {
        out.printf(Locale.ROOT, "%-7s %-15s %12.0f %9.2f %9.2f %8d%n", round, target, rps, p50, p99, errors);
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
     * @return a JSON object with the settings, every round, the summary and the ratios
     */
    String toJson() {
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"settings\": {")
                .append("\"method\": ").append(string(GatewayHttpTarget.PATH))
                .append(", \"restPath\": ").append(string(GatewayHttpTarget.Dialect.restTemplate()))
                .append(", \"targets\": ").append(strings(summary.targets()))
                .append(", \"concurrency\": ").append(options.concurrency())
                .append(", \"minWarmupSeconds\": ").append(options.warmup().toSeconds())
                .append(", \"maxWarmupSeconds\": ").append(options.maxWarmup().toSeconds())
                .append(", \"measureSeconds\": ").append(options.window().toSeconds())
                .append(", \"rounds\": ").append(options.rounds())
                .append(", \"httpThreads\": ").append(options.httpThreads())
                .append(", \"availableProcessors\": ").append(Runtime.getRuntime().availableProcessors())
                .append(", \"serverJvmFlags\": ").append(string(options.serverJvmFlags()))
                .append(", \"h2Connections\": ").append(options.h2Connections())
                .append(", \"streams\": ").append(options.streaming().map(BenchOptions.Streaming::streams).orElse(0))
                .append(", \"streamCreatesInFlight\": ")
                .append(options.streaming().map(BenchOptions.Streaming::creates).orElse(0))
                .append("},\n");
        json.append("  \"rounds\": [\n");
        List<Measurement> measurements = summary.measurements();
        for (int i = 0; i < measurements.size(); i++) {
            Measurement m = measurements.get(i);
            json.append("    {\"round\": ").append(m.round())
                    .append(", \"target\": ").append(string(m.target()))
                    .append(", \"requestsPerSecond\": ").append(number(m.requestsPerSecond()))
                    .append(", \"messagesPerSecond\": ").append(number(m.messagesPerSecond()))
                    .append(", \"p50Ms\": ").append(number(m.latencyMillis(50)))
                    .append(", \"p90Ms\": ").append(number(m.latencyMillis(90)))
                    .append(", \"p99Ms\": ").append(number(m.latencyMillis(99)))
                    .append(", \"maxMs\": ").append(number(m.latencies().getMaxValue() / 1e6))
                    .append(", \"requests\": ").append(m.requests())
                    .append(", \"errors\": ").append(m.errors())
                    .append(", \"warmupErrors\": ").append(m.warmupErrors())
                    .append(", \"seconds\": ").append(number(m.elapsedNanos() / 1e9))
                    .append(", \"cpuCores\": ").append(numbers(m.cpuCores()))
                    .append(", \"residentBytes\": ").append(counts(m.residentBytes()))
                    .append(", \"failures\": ").append(counts(m.failures()))
                    .append(", \"warmup\": {\"seconds\": ").append(number(m.warmup().nanos() / 1e9))
                    .append(", \"stepRequestsPerSecond\": ").append(list(m.warmup().requestsPerSecond()))
                    .append(", \"stepJitCores\": ").append(list(m.warmup().jitCores()))
                    .append(", \"end\": ").append(string(m.warmup().end())).append('}')
                    .append(i + 1 < measurements.size() ? "},\n" : "}\n");
        }
        json.append("  ],\n");
        json.append("  \"summary\": {");
        List<String> targets = summary.targets();
        List<String> processes = processes();
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
                    .append(", \"messagesPerCall\": ").append(best.messagesPerCall())
                    .append(", \"medianCpuMicrosPerRequest\": {");
            for (int p = 0; p < processes.size(); p++) {
                json.append(p == 0 ? "" : ", ").append(string(processes.get(p))).append(": ")
                        .append(number(t.medianCpuMicrosPerRequest(processes.get(p))));
            }
            json.append("}}");
        }
        json.append("\n  },\n");
        json.append("  \"gatewayConnectionsOpened\": ").append(opened(GATEWAY)).append(",\n");
        if (connections.containsKey(GATEWAY_AUTH)) {
            json.append("  \"gatewayAuthConnectionsOpened\": ").append(opened(GATEWAY_AUTH)).append(",\n");
        }
        if (connections.containsKey(GATEWAY_TRAFFIC)) {
            json.append("  \"gatewayTrafficConnectionsOpened\": ").append(opened(GATEWAY_TRAFFIC)).append(",\n");
        }
        json.append("  \"connectionsOpened\": {");
        List<String> connected = targets.stream().filter(connections::containsKey).toList();
        for (int i = 0; i < connected.size(); i++) {
            Connections c = connections.get(connected.get(i));
            json.append(i == 0 ? "" : ", ").append(string(connected.get(i))).append(": {\"opened\": ")
                    .append(c.opened()).append(", \"pool\": ").append(c.intended())
                    .append(", \"protocol\": ").append(string(c.protocol())).append('}');
        }
        json.append("},\n");
        json.append("  \"ratios\": {");
        List<Ratio> ratios = measuredRatios();
        for (int i = 0; i < ratios.size(); i++) {
            Ratio r = ratios.get(i);
            json.append(i == 0 ? "\n" : ",\n").append("    ").append(string(r.name())).append(": {\"median\": ")
                    .append(number(summary.medianRatio(r.numerator(), r.denominator())))
                    .append(", \"best\": ").append(number(summary.bestRatio(r.numerator(), r.denominator())))
                    .append(", \"goal\": ").append(number(r.goal()))
                    .append(", \"source\": ").append(string(r.source())).append('}');
        }
        json.append("\n  },\n");
        json.append("  \"ratioGatewayToDirect\": {\"median\": ").append(number(summary.medianRatio(GATEWAY, DIRECT)))
                .append(", \"best\": ").append(number(summary.bestRatio(GATEWAY, DIRECT)))
                .append(", \"bar\": ").append(number(RATIO_BAR))
                .append(", \"goal\": ").append(number(RATIO_GOAL)).append("},\n");
        if (targets.contains(GATEWAY_AUTH)) {
            json.append("  \"ratioAuthenticatedToUnauthenticatedGateway\": {\"median\": ")
                    .append(number(summary.medianRatio(GATEWAY_AUTH, GATEWAY)))
                    .append(", \"best\": ").append(number(summary.bestRatio(GATEWAY_AUTH, GATEWAY)))
                    .append(", \"bar\": ").append(number(AUTH_RATIO_BAR)).append("},\n");
        }
        if (targets.contains(GATEWAY_TRAFFIC)) {
            json.append("  \"ratioTrafficControlOnToOff\": {\"median\": ")
                    .append(number(summary.medianRatio(GATEWAY_TRAFFIC, GATEWAY)))
                    .append(", \"best\": ").append(number(summary.bestRatio(GATEWAY_TRAFFIC, GATEWAY)))
                    .append(", \"bar\": ").append(number(TRAFFIC_RATIO_BAR)).append("},\n");
        }
        coldStart.ifPresent(c -> json.append("  \"coldStart\": {\"target\": ").append(string(c.target()))
                .append(", \"secondsToNinetyPercentOfPlateau\": ").append(number(c.secondsToPlateau()))
                .append(", \"plateauRequestsPerSecond\": ").append(number(c.plateau()))
                .append(", \"stepSeconds\": ").append(number(c.stepNanos() / 1e9))
                .append(", \"stepRequestsPerSecond\": ").append(list(c.requestsPerSecond()))
                .append(", \"stepJitCores\": ").append(list(c.jitCores()))
                .append(", \"peakResidentBytes\": ").append(counts(c.peakResidentBytes()))
                .append(", \"errors\": ").append(c.errors()).append("},\n"));
        if (!latencies.isEmpty()) {
            json.append("  \"latency\": [");
            for (int i = 0; i < latencies.size(); i++) {
                OpenLoopLoad.Latency l = latencies.get(i);
                Optional<OpenLoopLoad.Latency> direct = latency(DIRECT, l.rate());
                json.append(i == 0 ? "\n" : ",\n").append("    {\"rate\": ").append(l.rate())
                        .append(", \"target\": ").append(string(l.target()))
                        .append(", \"meanMs\": ").append(number(l.meanMillis()))
                        .append(", \"p50Ms\": ").append(number(l.millis(50)))
                        .append(", \"p99Ms\": ").append(number(l.millis(99)))
                        .append(", \"fastestMs\": ").append(number(l.minMillis()))
                        .append(", \"addedMeanMs\": ")
                        .append(number(direct.map(d -> l.meanMillis() - d.meanMillis()).orElse(Double.NaN)))
                        .append(", \"addedP50Ms\": ")
                        .append(number(direct.map(d -> l.millis(50) - d.millis(50)).orElse(Double.NaN)))
                        .append(", \"addedP99Ms\": ")
                        .append(number(direct.map(d -> l.millis(99) - d.millis(99)).orElse(Double.NaN)))
                        .append(", \"sent\": ").append(l.sent())
                        .append(", \"errors\": ").append(l.errors())
                        .append(", \"failures\": ").append(counts(l.failures())).append('}');
            }
            json.append("\n  ],\n");
        }
        List<Figure> figures = figures();
        json.append("  \"figures\": [");
        for (int i = 0; i < figures.size(); i++) {
            Figure f = figures.get(i);
            json.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ").append(string(f.name()))
                    .append(", \"value\": ").append(number(f.value()))
                    .append(", \"goal\": ").append(string(f.goal()))
                    .append(", \"met\": ").append(f.met()).append('}');
        }
        json.append(figures.isEmpty() ? "],\n" : "\n  ],\n");
        json.append("  \"errorBudget\": ").append(number(BenchSummary.ERROR_BUDGET))
                .append(",\n  \"withinErrorBudget\": ").append(summary.overErrorBudget().isEmpty()).append("\n}\n");
        return json.toString();
    }

    private long opened(String target) {
        Connections c = connections.get(target);
        return c == null ? 0 : c.opened();
    }

    private static String numbers(Map<String, Double> values) {
        StringBuilder json = new StringBuilder("{");
        values.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append(string(k)).append(": ")
                .append(number(v)));
        return json.append('}').toString();
    }

    private static String strings(List<String> values) {
        StringBuilder json = new StringBuilder("[");
        values.forEach(v -> json.append(json.length() > 1 ? ", " : "").append(string(v)));
        return json.append(']').toString();
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
