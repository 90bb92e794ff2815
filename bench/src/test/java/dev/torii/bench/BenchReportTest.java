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

    private static final BenchOptions OPTIONS = BenchOptions.parse("--direct=h:1", "--gateway=http://h:2",
            "--gateway-auth=http://h:3", "--gateway-auth-credential=dummy:bench-user", "--rounds=1");

    @Test
    void authenticatedRatioIsJudgedAgainstItsBarWithTheExtraCpuNamed() {
        BenchReport report = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of("offer-service", 1.0)),
                round("gateway", 8_000, Map.of("gateway", 0.96, "offer-service", 0.4)),
                round("gateway-auth", 6_800, Map.of("gateway-auth", 0.952, "offer-service", 0.408)))),
                Map.of("gateway", 64L, "gateway-auth", 64L));

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
    void withoutTheAuthenticatedTargetOnlyTheGatewayRatioIsReported() {
        BenchReport report = new BenchReport(OPTIONS, new BenchSummary(List.of(
                round("direct", 20_000, Map.of()), round("gateway", 9_000, Map.of()))), Map.of("gateway", 64L));

        assertThat(print(report)).contains("ratio gateway/direct throughput = 0.45").doesNotContain("authenticated");
        assertThat(report.toJson()).doesNotContain("ratioAuthenticatedToUnauthenticatedGateway")
                .doesNotContain("gatewayAuthConnectionsOpened");
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
