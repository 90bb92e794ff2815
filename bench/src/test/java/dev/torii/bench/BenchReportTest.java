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

    @Test
    void summaryJudgesEachRatioAgainstItsGoalAndCountsStreamsInMessages() {
        BenchReport report = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of()), round("nginx", 10_000, Map.of()),
                round("haproxy", 16_000, Map.of()), round("gateway", 8_000, Map.of()),
                round("gateway-h2c", 6_000, Map.of()), round("connect", 7_800, Map.of()),
                streamRound("stream-direct", 2_000, 32), streamRound("stream-gateway", 600, 32))),
                Map.of("gateway", POOL, "gateway-h2c", new BenchReport.Connections(8, 8, "h2c"), "connect", POOL));

        String text = print(report);
        assertThat(text)
                .contains("gateway/nginx                      0.80     0.80   >= 1.30  NOT met (issue 17)")
                .contains("gateway-h2c/haproxy                0.38     0.38   >= 0.80  NOT met (issue 17)")
                .contains("haproxy/direct                     0.80     0.80         -  context")
                .contains("connect/gateway                    0.98     0.98   >= 0.95  met (issue 13)")
                .contains("stream-gateway/stream-direct       0.30     0.30   >= 0.50  NOT met (issue 13)")
                .contains("stream-direct (messages)          64000    64000")
                .contains("gateway-h2c: 8 h2c connections opened in the whole run (pool of 8)")
                .contains("stream-gateway: messages/s (not requests) over 32 streams")
                .doesNotContain("gateway-auth/gateway ");
        assertThat(report.toJson())
                .contains("\"connect/gateway\": {\"median\": 0.975, \"best\": 0.975, \"goal\": 0.950,"
                        + " \"source\": \"issue 13\"}")
                .contains("\"nginx/direct\": {\"median\": 0.500, \"best\": 0.500, \"goal\": null")
                .contains("\"stream-gateway\": {\"medianRequestsPerSecond\": 19200.000")
                .contains("\"messagesPerCall\": 32")
                .contains("\"gateway-h2c\": {\"opened\": 8, \"pool\": 8, \"protocol\": \"h2c\"}");
    }

    @Test
    void restIsJudgedAgainstTheSameCallAsJsonAndJsonShownAgainstProtobuf() {
        BenchReport report = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of()), round("gateway", 8_000, Map.of("gateway", 0.96)),
                round("json", 6_400, Map.of("gateway", 0.96)), round("rest", 6_080, Map.of("gateway", 0.96)))),
                Map.of("gateway", POOL, "json", POOL, "rest", POOL));

        String text = print(report);
        assertThat(text)
                .contains("json/gateway                       0.80     0.80         -  context")
                .contains("rest/json                          0.95     0.95   >= 0.90  met (issue 15)")
                .contains("1       rest                    6080")
                .contains("median  json                    6400")
                .contains("json: 64 HTTP/1.1 connections opened in the whole run (pool of 64)")
                .contains("rest: 64 HTTP/1.1 connections opened in the whole run (pool of 64)");
        assertThat(report.toJson())
                .contains("\"restPath\": \"/v1/offers/{id}\"")
                .contains("\"targets\": [\"direct\", \"gateway\", \"json\", \"rest\"]")
                .contains("\"rest/json\": {\"median\": 0.950, \"best\": 0.950, \"goal\": 0.900,"
                        + " \"source\": \"issue 15\"}")
                .contains("\"json/gateway\": {\"median\": 0.800, \"best\": 0.800, \"goal\": null,"
                        + " \"source\": \"context\"}")
                .contains("\"rest\": {\"medianRequestsPerSecond\": 6080.000")
                .contains("\"rest\": {\"opened\": 64, \"pool\": 64, \"protocol\": \"HTTP/1.1\"}");
    }

    @Test
    void restMoreThanTenPercentBelowJsonIsNotMetAndWithoutJsonNeitherRatioShows() {
        BenchReport slow = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of()), round("gateway", 8_000, Map.of()),
                round("json", 6_400, Map.of()), round("rest", 5_600, Map.of()))),
                Map.of("gateway", POOL, "json", POOL, "rest", POOL));
        BenchReport restOnly = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of()), round("gateway", 8_000, Map.of()), round("rest", 5_600, Map.of()))),
                Map.of("gateway", POOL, "rest", POOL));

        assertThat(print(slow)).contains("rest/json                          0.88     0.88   >= 0.90  NOT met"
                + " (issue 15)");
        assertThat(slow.toJson()).contains("\"rest/json\": {\"median\": 0.875");
        assertThat(print(restOnly)).doesNotContain("rest/json").doesNotContain("json/gateway");
        assertThat(restOnly.toJson()).doesNotContain("rest/json").doesNotContain("json/gateway");
    }

    @Test
    void issueSeventeensFiguresComeWithTheirGoalsFromTheColdStartMemoryAndLatencyRounds() {
        BenchOptions options = BenchOptions.parse("--direct=h:1", "--gateway=http://h:2", "--nginx=h:5",
                "--haproxy=h:6", "--gateway-small=http://h:7", "--rounds=1", "--latency-rates=1000");
        Measurement small = new Measurement("gateway-small", 1, 7_600, 0, 0, TimeUnit.SECONDS.toNanos(1),
                histogram(2_000_000, 7_600), Map.of(), Map.of(), Warmup.NONE, 1,
                Map.of("gateway-small", 280L * 1024 * 1024));
        ColdStart cold = new ColdStart("gateway-small", TimeUnit.SECONDS.toNanos(1),
                List.of(1000.0, 7000.0, 7500.0, 7600.0, 7600.0, 7600.0, 7600.0, 7600.0), List.of(),
                Map.of("gateway-small", 310L * 1024 * 1024), 0);
        List<OpenLoopLoad.Latency> latencies = List.of(latency("direct", 300_000), latency("haproxy", 600_000),
                latency("gateway", 1_100_000));
        BenchReport report = new BenchReport(options, new BenchSummary(List.of(
                round("direct", 20_000, Map.of()), round("nginx", 6_000, Map.of()),
                round("haproxy", 10_000, Map.of()), round("gateway", 8_000, Map.of()), small)),
                Map.of("gateway", POOL), java.util.Optional.of(cold), latencies);

        String text = print(report);
        assertThat(text)
                .containsPattern("gateway/direct throughput +0\\.40  >= 0\\.5 +NOT met")
                .containsPattern("gateway/nginx throughput +1\\.33  >= 1\\.3 +met")
                .containsPattern("gateway/haproxy throughput +0\\.80  >= 0\\.8 +met")
                // A plateau of 7600: the second step, 7000, starts three in a row over 6840.
                .containsPattern("gateway-small seconds from its first call to 90 % of plateau +2\\.00  <= 10\\.0 +met")
                // The cold start's peak counts: 310 MiB.
                .containsPattern("gateway-small resident MiB at saturation +310\\.00  <= 300\\.0 +NOT met")
                .containsPattern("gateway-small/gateway throughput +0\\.95  >= 0\\.95 +met")
                .containsPattern("gateway mean ms added over direct at 1000 req/s +0\\.80  <= 0\\.60 \\(2x haproxy's"
                        + " \\+0\\.30\\) +NOT met")
                .containsPattern("gateway fastest answer ms at 1000 req/s +1\\.10  <= 1\\.20 \\(2x haproxy's 0\\.60\\)"
                        + " +met")
                .containsPattern("1000 gateway +1\\.10 +1\\.10 +1\\.10 +1\\.10 +\\+0\\.80 +\\+0\\.80 +\\+0\\.80 +0");
        assertThat(report.toJson())
                .contains("\"coldStart\": {\"target\": \"gateway-small\", \"secondsToNinetyPercentOfPlateau\": 2.000")
                .contains("{\"rate\": 1000, \"target\": \"gateway\", \"meanMs\": 1.100")
                .contains("\"addedMeanMs\": 0.800")
                .contains("{\"name\": \"gateway-small resident MiB at saturation\", \"value\": 310.000,"
                        + " \"goal\": \"<= 300.0\", \"met\": false}")
                .contains("\"residentBytes\": {\"gateway-small\": 293601280}");
    }

    private static OpenLoopLoad.Latency latency(String target, long nanos) {
        return new OpenLoopLoad.Latency(target, 1000, 1000, 0, histogram(nanos, 1000), Map.of());
    }

    private static Histogram histogram(long value, long count) {
        Histogram latencies = new Histogram(3);
        latencies.recordValueWithCount(value, count);
        return latencies;
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

    private static Measurement streamRound(String target, long offers, int streams) {
        Histogram latencies = new Histogram(3);
        latencies.recordValueWithCount(5_000_000, offers);
        return new Measurement(target, 1, offers, 0, 0, TimeUnit.SECONDS.toNanos(1), latencies, Map.of(), Map.of(),
                Warmup.NONE, streams);
    }
}
