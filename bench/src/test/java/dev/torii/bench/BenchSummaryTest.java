package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchSummaryTest {

    private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void ratioComparesMediansAndBestRoundsOfEachTarget() {
        BenchSummary summary = new BenchSummary(List.of(
                round("direct", 1, 10_000, 0), round("gateway", 1, 3_000, 0),
                round("direct", 2, 12_000, 0), round("gateway", 2, 5_000, 0),
                round("direct", 3, 20_000, 0), round("gateway", 3, 4_000, 0)));

        assertThat(summary.target("direct").medianRequestsPerSecond()).isCloseTo(12_000, within(0.01));
        assertThat(summary.medianRatio("gateway", "direct")).isCloseTo(4_000 / 12_000.0, within(1e-9));
        assertThat(summary.bestRatio("gateway", "direct")).isCloseTo(5_000 / 20_000.0, within(1e-9));
        assertThat(summary.target("gateway").best().round()).isEqualTo(2);
    }

    @Test
    void authenticatedRatioComparesTheTwoGatewaysAndTargetsKeepTheirOrder() {
        BenchSummary summary = new BenchSummary(List.of(
                round("direct", 1, 10_000, 0), round("gateway", 1, 4_000, 0), round("gateway-auth", 1, 3_800, 0),
                round("direct", 2, 11_000, 0), round("gateway", 2, 5_000, 0), round("gateway-auth", 2, 4_000, 0)));

        assertThat(summary.targets()).containsExactly("direct", "gateway", "gateway-auth");
        assertThat(summary.medianRatio("gateway-auth", "gateway")).isCloseTo(3_900 / 4_500.0, within(1e-9));
        assertThat(summary.bestRatio("gateway-auth", "gateway")).isCloseTo(4_000 / 5_000.0, within(1e-9));
    }

    @Test
    void trafficControlRatioComparesTheTrafficGatewayWithThePlainOneAmongFourTargets() {
        BenchSummary summary = new BenchSummary(List.of(
                round("direct", 1, 10_000, 0), round("gateway", 1, 4_000, 0), round("gateway-auth", 1, 3_800, 0),
                round("gateway-traffic", 1, 3_600, 0),
                round("direct", 2, 11_000, 0), round("gateway", 2, 5_000, 0), round("gateway-auth", 2, 4_000, 0),
                round("gateway-traffic", 2, 3_000, 0)));

        assertThat(summary.targets()).containsExactly("direct", "gateway", "gateway-auth", "gateway-traffic");
        assertThat(summary.medianRatio("gateway-traffic", "gateway")).isCloseTo(3_300 / 4_500.0, within(1e-9));
        assertThat(summary.bestRatio("gateway-traffic", "gateway")).isCloseTo(3_600 / 5_000.0, within(1e-9));
        assertThat(summary.target("gateway-traffic").best().round()).isEqualTo(1);
    }

    @Test
    void cpuPerRequestIsTheMedianOfTheRoundsThatKnowTheProcess() {
        // 0.5 cores at 5,000 req/s is 100 µs a request; 0.9 cores at 3,000 req/s is 300 µs.
        BenchSummary summary = new BenchSummary(List.of(
                round("gateway-auth", 1, 5_000, 0, Map.of("gateway-auth", 0.5)),
                round("gateway-auth", 2, 3_000, 0, Map.of("gateway-auth", 0.9)),
                round("gateway-auth", 3, 4_000, 0, Map.of())));

        assertThat(summary.target("gateway-auth").medianCpuMicrosPerRequest("gateway-auth"))
                .isCloseTo(200, within(1e-6));
        assertThat(summary.target("gateway-auth").medianCpuMicrosPerRequest("authority")).isNaN();
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(BenchSummary.median(List.of(4.0, 1.0, 3.0, 10.0))).isEqualTo(3.5);
        assertThat(BenchSummary.median(List.of(7.0))).isEqualTo(7.0);
        assertThatThrownBy(() -> BenchSummary.median(List.of())).hasMessageContaining("expected: at least one");
    }

    @Test
    void roundOverOnePerMilleOfFailedCallsBreaksTheErrorBudget() {
        Measurement clean = round("direct", 1, 10_000, 10);
        Measurement failing = round("gateway", 1, 10_000, 11);
        Measurement silent = round("gateway", 2, 0, 0);

        assertThat(new BenchSummary(List.of(clean, failing, silent)).overErrorBudget())
                .containsExactly(failing, silent);
    }

    @Test
    void unknownTargetIsNamedInTheError() {
        BenchSummary summary = new BenchSummary(List.of(round("direct", 1, 1, 0)));

        assertThatThrownBy(() -> summary.target("gatewya")).hasMessageContaining("'gatewya'");
    }

    private static Measurement round(String target, int round, long requests, long errors) {
        return round(target, round, requests, errors, Map.of());
    }

    private static Measurement round(String target, int round, long requests, long errors,
            Map<String, Double> cpuCores) {
        Histogram latencies = new Histogram(3);
        for (long i = 0; i < requests; i++) {
            latencies.recordValue(1_000_000);
        }
        return new Measurement(target, round, requests, errors, 0, ONE_SECOND, latencies, cpuCores, Map.of(),
                Warmup.NONE);
    }
}
