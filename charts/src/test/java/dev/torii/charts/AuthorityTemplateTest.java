package dev.torii.charts;

import static dev.torii.charts.GatewayTemplateTest.assertProbe;
import static dev.torii.charts.GatewayTemplateTest.containerPort;
import static dev.torii.charts.GatewayTemplateTest.mount;
import static dev.torii.charts.GatewayTemplateTest.volume;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.charts.Chart.Rendered;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** What the chart renders for the Authority: signing keys, secrets, configuration, probes. */
class AuthorityTemplateTest {

    private static final String AUTHORITY = "torii-authority";

    @Test
    void theSigningKeySecretIsMountedReadOnlyAndTheKeyFilePropertyPointsAtIt() {
        Rendered rendered = Chart.template("authority: {signingKey: {existingSecret: torii-keys, key: current.pem}}");
        Map<String, Object> container = rendered.container(AUTHORITY, "authority");

        Map<String, Object> volume = volume(rendered.podSpec(AUTHORITY), "signing-keys");
        assertThat(Yamls.string(volume, "secret", "secretName")).isEqualTo("torii-keys");
        assertThat(Yamls.maps(volume, "secret", "items")).extracting(i -> i.get("key")).containsExactly("current.pem");
        Map<String, Object> mount = mount(container, "signing-keys");
        assertThat(mount).containsEntry("readOnly", true)
                .as("a subPath mount never sees a rotated Secret").doesNotContainKey("subPath");
        String keyFile = Yamls.string(Rendered.env(container).get("TORII_AUTHORITY_KEYS_FILES_0_"), "value");
        assertThat(keyFile).isEqualTo(mount.get("mountPath") + "/" + "current.pem");
    }

    @Test
    void tracingExportsOnlyWhenAnEndpointIsGiven() {
        Map<String, Map<String, Object>> defaults = Rendered.env(Chart.template().container(AUTHORITY, "authority"));
        assertThat(defaults).doesNotContainKey("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT");
        assertThat(Yamls.string(defaults.get("MANAGEMENT_TRACING_SAMPLING_PROBABILITY"), "value")).isEqualTo("0.1");

        Map<String, Map<String, Object>> env = Rendered.env(Chart.template("""
                authority:
                  tracing: {otlpEndpoint: "http://collector:4318/v1/traces", samplingProbability: 1}
                """).container(AUTHORITY, "authority"));
        assertThat(Yamls.string(env.get("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT"), "value"))
                .isEqualTo("http://collector:4318/v1/traces");
        assertThat(Yamls.string(env.get("MANAGEMENT_TRACING_SAMPLING_PROBABILITY"), "value")).isEqualTo("1");
    }

    @Test
    void publishedKeysBecomeFurtherKeyFiles() {
        Rendered rendered = Chart.template("authority: {signingKey: {publishedKeys: [next.pem]}}");
        Map<String, Object> container = rendered.container(AUTHORITY, "authority");

        assertThat(Yamls.string(Rendered.env(container).get("TORII_AUTHORITY_KEYS_FILES_1_"), "value"))
                .isEqualTo("/etc/torii/keys/next.pem");
        assertThat(Yamls.maps(volume(rendered.podSpec(AUTHORITY), "signing-keys"), "secret", "items"))
                .extracting(i -> i.get("key")).containsExactly("signing-key.pem", "next.pem");
    }

    @Test
    void withoutAnExistingSecretTheChartReferencesADocumentedNameAndCreatesNothing() {
        Rendered rendered = Chart.template();

        assertThat(Yamls.string(volume(rendered.podSpec(AUTHORITY), "signing-keys"), "secret", "secretName"))
                .isEqualTo("torii-authority-signing-key");
        assertThat(rendered.ofKind("Secret")).isEmpty();
    }

    @Test
    void theChartNeverRendersKeyMaterialOrSecretsWhateverTheValues() {
        Rendered rendered = Chart.template("""
                redis: {existingSecret: redis-credentials}
                authorizerDummy: {enabled: true}
                metrics: {serviceMonitor: {enabled: true}}
                authority:
                  introspectionClientSecret: {existingSecret: idp-client}
                  config:
                    users:
                      verifier: introspection
                      introspection: {endpoint: "https://idp.example.com/introspect", client-id: torii}
                """);

        assertThat(rendered.ofKind("Secret")).isEmpty();
        String all = new Yaml().dumpAll(rendered.documents().iterator());
        assertThat(all).doesNotContain("PRIVATE KEY").doesNotContain("\"d\":").doesNotContain("client-secret:");
        Map<String, Map<String, Object>> env = Rendered.env(rendered.container(AUTHORITY, "authority"));
        assertThat(Yamls.map(env.get("TORII_AUTHORITY_USERS_INTROSPECTION_CLIENT_SECRET"), "valueFrom", "secretKeyRef"))
                .containsEntry("name", "idp-client").containsEntry("key", "client-secret");
        assertThat(env.get("TORII_AUTHORITY_USERS_INTROSPECTION_CLIENT_SECRET")).doesNotContainKey("value");
        assertThat(Yamls.map(env.get("TORII_AUTHORITY_REDIS_URI"), "valueFrom", "secretKeyRef"))
                .containsEntry("name", "redis-credentials");
    }

    @Test
    void verifierSettingsAreRenderedIntoTheMountedApplicationYamlAndRollThePods() {
        String values = """
                authority:
                  introspectionClientSecret: {existingSecret: idp-client}
                  config:
                    users:
                      verifier: introspection
                      introspection: {endpoint: "https://idp.example.com/introspect", client-id: torii}
                    google:
                      enabled: true
                      service-accounts: [{email: batch@p.iam.gserviceaccount.com, roles: [support.reader]}]
                """;
        Rendered rendered = Chart.template(values);

        Map<String, Object> application = new Yaml().load(
                Yamls.string(rendered.get("ConfigMap", AUTHORITY + "-config"), "data", "application.yaml"));
        assertThat(Yamls.string(application, "torii", "authority", "users", "verifier")).isEqualTo("introspection");
        assertThat(Yamls.string(application, "torii", "authority", "users", "introspection", "client-id"))
                .isEqualTo("torii");
        assertThat(Yamls.list(application, "torii", "authority", "google", "service-accounts")).hasSize(1);
        Map<String, Object> container = rendered.container(AUTHORITY, "authority");
        assertThat(mount(container, "config")).containsEntry("mountPath", "/config");
        assertThat(Yamls.string(Rendered.env(container).get("SPRING_CONFIG_ADDITIONAL_LOCATION"), "value"))
                .isEqualTo("optional:file:/config/");
        Object checksum = Yamls.at(rendered.get("Deployment", AUTHORITY), "spec", "template", "metadata", "annotations",
                "checksum/config");
        Object defaultChecksum = Yamls.at(Chart.template().get("Deployment", AUTHORITY), "spec", "template", "metadata",
                "annotations", "checksum/config");
        assertThat(checksum).isNotNull().isNotEqualTo(defaultChecksum);
    }

    @Test
    void probesAskTheActuatorOnAManagementPortSeparateFromTheJwksPort() {
        Map<String, Object> container = Chart.template().container(AUTHORITY, "authority");
        Object managementPort = containerPort(container, "management");

        assertThat(containerPort(container, "grpc")).isEqualTo(9090);
        assertThat(containerPort(container, "http")).isEqualTo(9091);
        assertThat(managementPort).isNotEqualTo(9091);
        assertThat(Yamls.string(Rendered.env(container).get("MANAGEMENT_SERVER_PORT"), "value"))
                .isEqualTo(String.valueOf(managementPort));
        assertProbe(container, "startupProbe", "/actuator/health/liveness");
        assertProbe(container, "livenessProbe", "/actuator/health/liveness");
        assertProbe(container, "readinessProbe", "/actuator/health/readiness");
    }

    @Test
    void theIssuerIsTheInClusterAddressOfTheHttpPortUnlessGiven() {
        Map<String, Map<String, Object>> env = Rendered.env(Chart.template().container(AUTHORITY, "authority"));
        assertThat(Yamls.string(env.get("TORII_AUTHORITY_ISSUER"), "value"))
                .isEqualTo("http://torii-authority.edge.svc.cluster.local:9091");

        Map<String, Map<String, Object>> given = Rendered.env(Chart.template(
                "authority: {issuer: 'https://authority.example.com'}").container(AUTHORITY, "authority"));
        assertThat(Yamls.string(given.get("TORII_AUTHORITY_ISSUER"), "value")).isEqualTo("https://authority.example.com");
    }

    @Test
    void theGatewayCallsTheAuthorityThroughAHeadlessServiceOfItsPods() {
        Rendered rendered = Chart.template();
        String target = Yamls.string(
                Rendered.env(rendered.container("torii-gateway", "gateway")).get("TORII_GATEWAY_AUTHORITY_TARGET"), "value");

        assertThat(target).isEqualTo("dns:///torii-authority-grpc.edge.svc.cluster.local:9090");
        Map<String, Object> headless = rendered.get("Service", "torii-authority-grpc");
        assertThat(Yamls.string(headless, "spec", "clusterIP")).isEqualTo("None");
        assertThat(Yamls.map(headless, "spec", "selector")).containsEntry("app.kubernetes.io/component", "authority");
        List<Map<String, Object>> ports = Yamls.maps(headless, "spec", "ports");
        assertThat(ports).singleElement().satisfies(p -> assertThat(p).containsEntry("port", 9090));
    }
}
