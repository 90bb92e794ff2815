package dev.torii.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.charts.Chart.Rendered;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Availability and observation: autoscalers, disruption budgets, ServiceMonitors. */
class OperationsTemplateTest {

    @ParameterizedTest
    @ValueSource(strings = {"torii-gateway", "torii-authority"})
    void eachDeploymentHasAnAutoscalerFromTwoReplicasAndADisruptionBudget(String name) {
        Rendered rendered = Chart.template();
        Map<String, Object> deployment = rendered.get("Deployment", name);

        Map<String, Object> hpa = rendered.get("HorizontalPodAutoscaler", name);
        assertThat(Yamls.string(hpa, "apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(Yamls.map(hpa, "spec", "scaleTargetRef")).containsEntry("kind", "Deployment").containsEntry("name", name);
        assertThat((Integer) Yamls.at(hpa, "spec", "minReplicas")).isGreaterThanOrEqualTo(2);
        assertThat(Yamls.map(deployment, "spec")).as("the autoscaler owns the replica count").doesNotContainKey("replicas");

        Map<String, Object> pdb = rendered.get("PodDisruptionBudget", name);
        assertThat(Yamls.map(pdb, "spec", "selector", "matchLabels"))
                .isEqualTo(Yamls.map(deployment, "spec", "selector", "matchLabels"));
        assertThat(Yamls.map(pdb, "spec")).containsEntry("maxUnavailable", 1);
    }

    @Test
    void withoutAutoscalingTheDeploymentCarriesTheReplicaCount() {
        Rendered rendered = Chart.template("gateway: {autoscaling: {enabled: false}, replicaCount: 3, podDisruptionBudget: {enabled: false}}");

        assertThat(rendered.has("HorizontalPodAutoscaler", "torii-gateway")).isFalse();
        assertThat(rendered.has("PodDisruptionBudget", "torii-gateway")).isFalse();
        assertThat(Yamls.map(rendered.get("Deployment", "torii-gateway"), "spec")).containsEntry("replicas", 3);
    }

    @Test
    void serviceMonitorsAreAbsentByDefault() {
        assertThat(Chart.template().ofKind("ServiceMonitor")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"torii-gateway", "torii-authority"})
    void serviceMonitorsScrapePrometheusOnTheManagementServiceOnly(String name) {
        Rendered rendered = Chart.template("metrics: {serviceMonitor: {enabled: true, labels: {release: prometheus}}}");

        Map<String, Object> monitor = rendered.get("ServiceMonitor", name);
        assertThat(Yamls.map(monitor, "metadata", "labels")).containsEntry("release", "prometheus");
        assertThat(Yamls.maps(monitor, "spec", "endpoints")).singleElement().satisfies(endpoint -> assertThat(endpoint)
                .containsEntry("port", "management").containsEntry("path", "/actuator/prometheus"));
        Map<String, Object> selector = Yamls.map(monitor, "spec", "selector", "matchLabels");
        assertThat(rendered.ofKind("Service"))
                .filteredOn(service -> Yamls.map(service, "metadata", "labels").entrySet().containsAll(selector.entrySet()))
                .extracting(service -> Yamls.string(service, "metadata", "name"))
                .containsExactly(name + "-management");
    }
}
