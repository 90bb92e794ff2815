package dev.torii.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.charts.Chart.Rendered;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The NetworkPolicies keep the management ports and the Authority's gRPC private: read with
 * Kubernetes' semantics (a rule without ports covers every port; a rule without peers admits
 * everyone), not by looking for strings.
 */
class NetworkPolicyTest {

    private static final Map<String, Object> MONITORING = Map.of(
            "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring")));

    @Test
    void byDefaultTheGatewayPortIsOpenAndTheManagementPortClosed() {
        Map<String, Object> policy = Chart.template().get("NetworkPolicy", "torii-gateway");

        assertThat(Yamls.list(policy, "spec", "policyTypes")).containsExactly("Ingress");
        assertThat(openToEveryone(policy, 8080)).isTrue();
        assertThat(peersOf(policy, 8081)).as("nobody may reach the management port by default").isEmpty();
    }

    @Test
    void theManagementPortAdmitsExactlyTheConfiguredPeers() {
        Rendered rendered = Chart.template("""
                networkPolicy:
                  management:
                    from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
                """);

        assertThat(peersOf(rendered.get("NetworkPolicy", "torii-gateway"), 8081)).containsExactly(MONITORING);
        assertThat(openToEveryone(rendered.get("NetworkPolicy", "torii-gateway"), 8081)).isFalse();
        assertThat(peersOf(rendered.get("NetworkPolicy", "torii-authority"), 9092)).containsExactly(MONITORING);
    }

    @Test
    void theAuthoritysGrpcAdmitsOnlyTheGatewayAndItsManagementPortNobody() {
        Rendered rendered = Chart.template();
        Map<String, Object> policy = rendered.get("NetworkPolicy", "torii-authority");
        Map<String, Object> gatewayPods = Yamls.map(rendered.get("Deployment", "torii-gateway"),
                "spec", "template", "metadata", "labels");

        List<Map<String, Object>> grpcPeers = peersOf(policy, 9090);
        assertThat(grpcPeers).singleElement().satisfies(peer -> {
            assertThat(peer).containsOnlyKeys("podSelector");
            assertThat(gatewayPods).containsAllEntriesOf(Yamls.map(peer, "podSelector", "matchLabels"));
        });
        assertThat(openToEveryone(policy, 9090)).isFalse();
        assertThat(peersOf(policy, 9092)).isEmpty();
        assertThat(Yamls.map(policy, "spec", "podSelector", "matchLabels"))
                .containsEntry("app.kubernetes.io/component", "authority");
    }

    @Test
    void theAuthoritysJwksPortAdmitsTheClusterByDefault() {
        Map<String, Object> policy = Chart.template().get("NetworkPolicy", "torii-authority");

        assertThat(peersOf(policy, 9091)).containsExactly(Map.of("namespaceSelector", Map.of()));
    }

    @Test
    void theDummyGetsTheAuthoritysRules() {
        Map<String, Object> policy = Chart.template("authorizerDummy: {enabled: true}")
                .get("NetworkPolicy", "torii-authorizer-dummy");

        assertThat(peersOf(policy, 9090)).singleElement().satisfies(p -> assertThat(p).containsOnlyKeys("podSelector"));
        assertThat(peersOf(policy, 9092)).isEmpty();
    }

    @Test
    void canBeTurnedOff() {
        assertThat(Chart.template("networkPolicy: {enabled: false}").ofKind("NetworkPolicy")).isEmpty();
    }

    /** Whether some rule admits every source on this port. */
    private static boolean openToEveryone(Map<String, Object> policy, int port) {
        return rulesCovering(policy, port).stream().anyMatch(rule -> !rule.containsKey("from")
                || rule.get("from") == null || Yamls.list(rule, "from").isEmpty());
    }

    /** The peers of every rule covering this port; fails if one of them admits everyone. */
    private static List<Map<String, Object>> peersOf(Map<String, Object> policy, int port) {
        assertThat(openToEveryone(policy, port)).as("port %s open to everyone", port).isFalse();
        return rulesCovering(policy, port).stream().flatMap(rule -> Yamls.maps(rule, "from").stream()).toList();
    }

    private static List<Map<String, Object>> rulesCovering(Map<String, Object> policy, int port) {
        Object ingress = Yamls.at(policy, "spec", "ingress");
        if (ingress == null) {
            return List.of();
        }
        return Yamls.maps(policy, "spec", "ingress").stream()
                .filter(rule -> !rule.containsKey("ports") || rule.get("ports") == null
                        || Yamls.maps(rule, "ports").stream().anyMatch(p -> Integer.valueOf(port).equals(p.get("port"))))
                .toList();
    }
}
