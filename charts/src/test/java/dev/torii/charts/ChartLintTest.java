package dev.torii.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code helm lint --strict} accepts the chart, with its defaults and with every optional part on,
 * and refuses values a user could get wrong, through values.schema.json or a template check, before
 * anything reaches a cluster.
 */
class ChartLintTest {

    @Test
    void lintPassesWithTheDefaultValues() {
        LintResult result = Chart.lint();

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void lintPassesWithEveryOptionalPartOn() {
        LintResult result = Chart.lintWithValues("""
                redis: {existingSecret: redis-credentials}
                authorizerDummy: {enabled: true}
                metrics: {serviceMonitor: {enabled: true, labels: {release: prometheus}}}
                networkPolicy:
                  management:
                    from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
                gateway:
                  descriptorSets: {existingConfigMap: descriptors}
                  autoscaling: {targetMemoryUtilizationPercentage: 80}
                  podDisruptionBudget: {minAvailable: 50%}
                authority:
                  signingKey: {existingSecret: keys, key: current.json, publishedKeys: [next.json]}
                  introspectionClientSecret: {existingSecret: idp-client}
                  config:
                    users:
                      verifier: introspection
                      introspection: {endpoint: "https://idp.example.com/introspect", client-id: torii}
                    google:
                      enabled: true
                      service-accounts: [{email: batch@p.iam.gserviceaccount.com, roles: [support.reader]}]
                """);

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("route file key without .yaml (the gateway would ignore the file)",
                        "routes: {offer-service: 'service: x'}", "offer-service"),
                Arguments.of("inline route files and an existing ConfigMap at once",
                        "routes: {existingConfigMap: my-routes, offer-service.yaml: 'service: x'}", "/routes"),
                Arguments.of("introspection without the Secret holding its client secret",
                        "authority: {config: {users: {verifier: introspection,"
                                + " introspection: {endpoint: 'https://idp/introspect', client-id: torii}}}}",
                        "introspectionClientSecret/existingSecret"),
                Arguments.of("a client secret in plain text in the values",
                        "authority: {introspectionClientSecret: {existingSecret: idp}, config: {users: {verifier: introspection,"
                                + " introspection: {endpoint: 'https://idp/introspect', client-id: torii, client-secret: hunter2}}}}",
                        "client-secret"),
                Arguments.of("an unknown verifier", "authority: {config: {users: {verifier: ldap}}}", "verifier"),
                Arguments.of("a Redis URI both inline and from a Secret",
                        "redis: {uri: 'redis://redis:6379', existingSecret: redis}", "/redis/existingSecret"),
                Arguments.of("a Redis URI that is not one", "redis: {uri: 'http://redis:6379'}", "/redis/uri"),
                Arguments.of("no Authority at all for the gateway",
                        "authority: {enabled: false}", "authorityTarget"),
                Arguments.of("the routes folder overridden behind the chart's back",
                        "gateway: {config: {routes-dir: /elsewhere}}", "routes-dir"),
                Arguments.of("the authorizer-dummy under another profile",
                        "authorizerDummy: {enabled: true, extraConfig: {spring: {profiles: {active: prod}}}}",
                        "active"),
                Arguments.of("a typo in a value name", "gateway: {replicas: 3}", "replicas"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void lintFailsOnInvalidValues(String why, String values, String named) {
        LintResult result = Chart.lintWithValues(values);

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains(named);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void templateRefusesInvalidValues(String why, String values, String named) {
        assertThatThrownBy(() -> Chart.template(values))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(named);
    }

    @Test
    void reversedAutoscalingBoundsAreRefusedAtInstall() {
        // JSON Schema cannot compare two values, so a template check does it; helm lint reports a
        // template's fail() only as information, but template, install and upgrade stop on it.
        assertThatThrownBy(() -> Chart.template("authority: {autoscaling: {minReplicas: 5, maxReplicas: 3}}"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("authority.autoscaling.minReplicas: 5 (expected: <= maxReplicas, 3)");
    }

    @Test
    void chartAndAppVersionFollowTheMavenProjectVersion() throws IOException {
        String projectVersion = System.getProperty("torii.project.version");
        Map<String, Object> chart = new Yaml().load(Files.readString(Chart.DIR.resolve("Chart.yaml")));

        assertThat(projectVersion).as("torii.project.version (set by Surefire)").isNotBlank();
        assertThat(chart).containsEntry("apiVersion", "v2")
                .containsEntry("version", projectVersion)
                .containsEntry("appVersion", projectVersion);
        assertThat(Chart.template().documents())
                .filteredOn(d -> "Deployment".equals(d.get("kind")))
                .allSatisfy(d -> assertThat(Yamls.maps(d, "spec", "template", "spec", "containers").get(0).get("image"))
                        .asString().endsWith(":" + projectVersion));
    }
}
