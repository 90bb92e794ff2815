package dev.torii.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

    @Test
    void warmUpCallsRecordIntoTheirOwnRegistryOnly() {
        SimpleMeterRegistry clients = new SimpleMeterRegistry();
        SimpleMeterRegistry warmUp = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(clients, warmUp);

        metrics.of(true).request("/grpc.health.v1.Health/Check", "127.0.0.1:1", 200, Status.Code.OK, 1_000);
        metrics.of(true).upstreamCall("/grpc.health.v1.Health/Check", "127.0.0.1:1", Status.Code.OK, 1_000);
        metrics.of(false).request("/pkg.S/M", "offers:50051", 200, Status.Code.OK, 1_000);

        assertThat(clients.get("torii.gateway.requests").timers()).hasSize(1)
                .allSatisfy(timer -> assertThat(timer.getId().getTag("route")).isEqualTo("/pkg.S/M"));
        assertThat(clients.find("torii.gateway.upstream.calls").timers()).isEmpty();
        assertThat(warmUp.get("torii.gateway.requests").timer().getId().getTag("route"))
                .isEqualTo("/grpc.health.v1.Health/Check");
        GatewayMetrics shared = new GatewayMetrics(clients);
        assertThat(shared.of(true)).as("no registry of its own: the same recorder").isSameAs(shared);
    }
}
