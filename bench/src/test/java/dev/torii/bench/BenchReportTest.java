package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static final BenchReport.Connections POOL = new BenchReport.Connections(64, 64, "HTTP/1.1");

    private static final BenchOptions OPTIONS = BenchOptions.parse("--direct=h:1", "--gateway=http://h:2",
            "--gateway-auth=http://h:3", "--gateway-auth-credential=dummy:bench-user", "--rounds=1");

    @Test
    void authenticatedRatioIsJudgedAgainstItsBarWithTheExtraCpuNamed() {
        BenchReport report = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of("offer-service", 1.0)),
                round("gateway", 8_000, Map.of("gateway", 0.96, "offer-service", 0.4)),
                round("gateway-auth", 6_800, Map.of("gateway-auth", 0.952, "offer-service", 0.408)))),
                Map.of("gateway", POOL, "gateway-auth", POOL));

        String text = print(report);
        assertThat(text)
                .contains("ratio gateway/direct throughput = 0.40")
                .contains("ratio authenticated/unauthenticated gateway throughput (gateway-auth/gateway) = 0.85")
                .contains("bar >= 0.90: NOT met")
                .contains("gateway +20 (140 vs 120)")
                .contains("offer-service +10 (60 vs 50)")
                .contains("gateway-auth: 64 HTTP/1.1 connections opened");
        assertThat(report.toJson())
                .contains("\"targets\": [\"direct\", \"gateway\", \"gateway-auth\"]")
                .contains("\"ratioAuthenticatedToUnauthenticatedGateway\": {\"median\": 0.850, \"best\": 0.850,"
                        + " \"bar\": 0.900}")
                .contains("\"gateway-auth\": {\"medianRequestsPerSecond\": 6800.000")
                .contains("\"gateway-auth\": 140.000")
                .contains("\"gatewayAuthConnectionsOpened\": 64");
    }

    @Test
    void trafficControlRatioIsJudgedAgainstItsBarWithRedisCpuCharged() {
        BenchOptions options = BenchOptions.parse("--direct=h:1", "--gateway=http://h:2",
                "--gateway-traffic=http://h:4", "--rounds=1");
        BenchReport report = new BenchReport(options, new BenchSummary(List.of(
                round("direct", 20_000, Map.of("offer-service", 1.0, "redis", 0.0)),
                round("gateway", 8_000, Map.of("gateway", 0.96, "offer-service", 0.4, "redis", 0.0)),
                round("gateway-traffic", 7_200, Map.of("gateway-traffic", 1.008, "offer-service", 0.36,
                        "redis", 0.144)))),
                Map.of("gateway", POOL, "gateway-traffic", POOL));

        String text = print(report);
        assertThat(text)
                .contains("ratio gateway/direct throughput = 0.40")
                .contains("ratio rate limit (Redis) and circuit breaker on/off gateway throughput"
                        + " (gateway-traffic/gateway) = 0.90 (median of 1 rounds each; best rounds: 0.90)")
                .contains("bar >= 0.85: met")
                .contains("rate limit (Redis) and circuit breaker, CPU µs per request beyond the plain route's"
                        + " (medians): gateway +20 (140 vs 120)")
                .contains("redis +20 (20 vs 0)")
                .contains("offer-service +0 (50 vs 50)")
                .contains("1       gateway-traffic         7200")
                .contains("gateway-traffic: 64 HTTP/1.1 connections opened")
                .doesNotContain("authenticated");
        assertThat(report.toJson())
                .contains("\"targets\": [\"direct\", \"gateway\", \"gateway-traffic\"]")
                .contains("\"ratioTrafficControlOnToOff\": {\"median\": 0.900, \"best\": 0.900, \"bar\": 0.850}")
                .contains("\"gateway-traffic\": {\"medianRequestsPerSecond\": 7200.000")
                .contains("\"gatewayTrafficConnectionsOpened\": 64")
                .doesNotContain("ratioAuthenticatedToUnauthenticatedGateway");
    }

    @Test
    void trafficControlRatioBelowItsBarIsNotMet() {
        BenchReport report = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of()), round("gateway", 8_000, Map.of()),
                round("gateway-auth", 7_600, Map.of()), round("gateway-traffic", 6_000, Map.of()))),
                Map.of("gateway", POOL, "gateway-auth", POOL, "gateway-traffic", POOL));

        String text = print(report);
        assertThat(text)
                .contains("(gateway-auth/gateway) = 0.95")
                .contains("bar >= 0.90: met")
                .contains("(gateway-traffic/gateway) = 0.75")
                .contains("bar >= 0.85: NOT met");
        assertThat(report.toJson())
                .contains("\"ratioAuthenticatedToUnauthenticatedGateway\": {\"median\": 0.950")
                .contains("\"ratioTrafficControlOnToOff\": {\"median\": 0.750, \"best\": 0.750, \"bar\": 0.850}");
    }

    @Test
    void withoutTheAuthenticatedTargetOnlyTheGatewayRatioIsReported() {
        BenchReport report = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of()), round("gateway", 9_000, Map.of()))), Map.of("gateway", POOL));

        assertThat(print(report)).contains("ratio gateway/direct throughput = 0.45").doesNotContain("authenticated")
                .doesNotContain("gateway-traffic");
        assertThat(report.toJson()).doesNotContain("ratioAuthenticatedToUnauthenticatedGateway")
                .doesNotContain("gatewayAuthConnectionsOpened").doesNotContain("ratioTrafficControlOnToOff");
    }

    private static String print(BenchReport report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Measurement round(String target, long requests, Map<String, Double> cpuCores) {
        Histogram latencies = new Histogram(3);
        latencies.recordValueWithCount(2_000_000, requests);
        return new Measurement(target, 1, requests, 0, 0, TimeUnit.SECONDS.toNanos(1), latencies, cpuCores, Map.of(),
                Warmup.NONE);
    }
}
