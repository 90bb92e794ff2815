package dev.torii.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.charts.Chart.Rendered;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The authorizer-dummy: absent unless asked for, and then the gateway's Authority, under the dev profile. */
class AuthorizerDummyTemplateTest {

    private static final String DUMMY = "torii-authorizer-dummy";

    @Test
    void absentByDefault() {
        Rendered rendered = Chart.template();

        assertThat(rendered.ofComponent("authorizer-dummy")).as("rendered: %s", rendered.names()).isEmpty();
        assertThat(rendered.names()).noneMatch(name -> name.contains("dummy"));
    }

    @Test
    void whenEnabledItRunsUnderTheDevProfileAndTheGatewayCallsIt() {
        Rendered rendered = Chart.template("authorizerDummy: {enabled: true}");

        Map<String, Map<String, Object>> env = Rendered.env(rendered.container(DUMMY, "authorizer-dummy"));
        assertThat(Yamls.string(env.get("SPRING_PROFILES_ACTIVE"), "value")).isEqualTo("dev");
        assertThat(Yamls.string(env.get("TORII_AUTHORITY_ISSUER"), "value"))
                .isEqualTo("http://torii-authorizer-dummy.edge.svc.cluster.local:9091");

        String target = Yamls.string(
                Rendered.env(rendered.container("torii-gateway", "gateway")).get("TORII_GATEWAY_AUTHORITY_TARGET"), "value");
        assertThat(target).isEqualTo("dns:///" + DUMMY + "-grpc.edge.svc.cluster.local:9090");
        Map<String, Object> service = rendered.get("Service", DUMMY + "-grpc");
        assertThat(Yamls.map(service, "spec", "selector"))
                .isEqualTo(Yamls.map(rendered.get("Deployment", DUMMY), "spec", "selector", "matchLabels"));
        assertThat(rendered.has("Service", DUMMY)).isTrue();
    }

    @Test
    void anExplicitTargetWinsOverTheChartsChoice() {
        Rendered rendered = Chart.template("""
                authorizerDummy: {enabled: true}
                gateway: {authorityTarget: "dns:///authority.shared:9090"}
                """);

        assertThat(Yamls.string(Rendered.env(rendered.container("torii-gateway", "gateway"))
                .get("TORII_GATEWAY_AUTHORITY_TARGET"), "value")).isEqualTo("dns:///authority.shared:9090");
    }

    @Test
    void aDevClusterMayRunTheDummyWithoutTheAuthority() {
        Rendered rendered = Chart.template("""
                authorizerDummy: {enabled: true}
                authority: {enabled: false}
                """);

        assertThat(rendered.ofComponent("authority")).isEmpty();
        assertThat(rendered.has("Deployment", DUMMY)).isTrue();
    }
}
