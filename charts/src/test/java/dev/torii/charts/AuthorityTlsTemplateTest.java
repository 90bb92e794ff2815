package dev.torii.charts;

import static dev.torii.charts.GatewayTemplateTest.mount;
import static dev.torii.charts.GatewayTemplateTest.volume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import dev.torii.charts.Chart.Rendered;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * What the chart renders for TLS on the link between the gateway and the Authority: plaintext by
 * default, PEM SSL bundles on mounted Secrets when asked, and a refusal of values with which the
 * two sides could not talk.
 */
class AuthorityTlsTemplateTest {

    private static final String AUTHORITY = "torii-authority";
    private static final String GATEWAY = "torii-gateway";
    private static final String BOTH = """
            authority:
              grpcTls: {enabled: true, existingSecret: authority-grpc-tls}
            gateway:
              authorityTls: {enabled: true, existingSecret: gateway-client-tls}
            """;

    @Test
    void byDefaultTheLinkIsPlaintextAndNoSecretIsMounted() {
        Rendered rendered = Chart.template();

        assertThat(Yamls.maps(rendered.podSpec(AUTHORITY), "volumes")).noneMatch(v -> "grpc-tls".equals(v.get("name")));
        assertThat(Yamls.maps(rendered.podSpec(GATEWAY), "volumes"))
                .noneMatch(v -> "authority-tls".equals(v.get("name")));
        assertThat(application(rendered, AUTHORITY)).doesNotContainKey("spring");
        assertThat(application(rendered, GATEWAY)).doesNotContainKey("spring");
    }

    @Test
    void theAuthorityServesTlsFromAReloadedBundleOnTheMountedSecret() {
        Rendered rendered = Chart.template(BOTH);
        Map<String, Object> application = application(rendered, AUTHORITY);

        assertThat(Yamls.map(application, "torii", "authority", "grpc", "ssl"))
                .containsEntry("bundle", "authority-grpc").containsEntry("client-auth", "require");
        Map<String, Object> bundle = Yamls.map(application, "spring", "ssl", "bundle", "pem", "authority-grpc");
        assertThat(bundle).containsEntry("reload-on-update", true);
        String dir = (String) mount(rendered.container(AUTHORITY, "authority"), "grpc-tls").get("mountPath");
        assertThat(Yamls.map(bundle, "keystore")).containsEntry("certificate", dir + "/tls.crt")
                .containsEntry("private-key", dir + "/tls.key");
        assertThat(Yamls.map(bundle, "truststore")).containsEntry("certificate", dir + "/ca.crt");
        Map<String, Object> volume = volume(rendered.podSpec(AUTHORITY), "grpc-tls");
        assertThat(Yamls.string(volume, "secret", "secretName")).isEqualTo("authority-grpc-tls");
        assertThat(Yamls.maps(volume, "secret", "items")).extracting(i -> i.get("key"))
                .containsExactly("tls.crt", "tls.key", "ca.crt");
        assertThat(mount(rendered.container(AUTHORITY, "authority"), "grpc-tls"))
                .as("a subPath mount never sees a renewed Secret").doesNotContainKey("subPath");
    }

    @Test
    void theGatewayTrustsTheCaAndPresentsItsClientCertificate() {
        Rendered rendered = Chart.template(BOTH);
        Map<String, Object> application = application(rendered, GATEWAY);

        assertThat(Yamls.map(application, "torii", "gateway", "authority"))
                .containsEntry("tls", true).containsEntry("tls-bundle", "authority");
        Map<String, Object> bundle = Yamls.map(application, "spring", "ssl", "bundle", "pem", "authority");
        String dir = (String) mount(rendered.container(GATEWAY, "gateway"), "authority-tls").get("mountPath");
        assertThat(bundle).containsEntry("reload-on-update", true);
        assertThat(Yamls.map(bundle, "truststore")).containsEntry("certificate", dir + "/ca.crt");
        assertThat(Yamls.map(bundle, "keystore")).containsEntry("certificate", dir + "/tls.crt")
                .containsEntry("private-key", dir + "/tls.key");
        assertThat(Yamls.string(volume(rendered.podSpec(GATEWAY), "authority-tls"), "secret", "secretName"))
                .isEqualTo("gateway-client-tls");
        Object checksum = Yamls.at(rendered.get("Deployment", GATEWAY), "spec", "template", "metadata", "annotations",
                "checksum/config");
        assertThat(checksum).as("turning TLS on rolls the pods")
                .isNotEqualTo(Yamls.at(Chart.template().get("Deployment", GATEWAY), "spec", "template", "metadata",
                        "annotations", "checksum/config"));
    }

    @Test
    void withoutClientAuthenticationNeitherSideCarriesWhatItDoesNotNeed() {
        Rendered rendered = Chart.template("""
                authority:
                  grpcTls: {enabled: true, existingSecret: authority-grpc-tls, clientAuth: none}
                gateway:
                  authorityTls: {enabled: true, existingSecret: authority-ca, certificateKey: ""}
                """);

        Map<String, Object> authorityBundle = Yamls.map(application(rendered, AUTHORITY), "spring", "ssl", "bundle",
                "pem", "authority-grpc");
        assertThat(authorityBundle).doesNotContainKey("truststore");
        assertThat(Yamls.maps(volume(rendered.podSpec(AUTHORITY), "grpc-tls"), "secret", "items"))
                .extracting(i -> i.get("key")).containsExactly("tls.crt", "tls.key");
        assertThat(Yamls.map(application(rendered, GATEWAY), "spring", "ssl", "bundle", "pem", "authority"))
                .doesNotContainKey("keystore");
        assertThat(Yamls.maps(volume(rendered.podSpec(GATEWAY), "authority-tls"), "secret", "items"))
                .extracting(i -> i.get("key")).containsExactly("ca.crt");
    }

    @Test
    void tlsWithoutASecretUsesTheJvmTrustStore() {
        Rendered rendered = Chart.template("""
                authority:
                  grpcTls: {enabled: true, existingSecret: authority-grpc-tls, clientAuth: none}
                gateway:
                  authorityTls: {enabled: true}
                """);

        assertThat(Yamls.map(application(rendered, GATEWAY), "torii", "gateway", "authority"))
                .containsEntry("tls", true).doesNotContainKey("tls-bundle");
        assertThat(application(rendered, GATEWAY)).doesNotContainKey("spring");
    }

    @Test
    void lintPassesWithMutualTls() {
        LintResult result = Chart.lintWithValues(BOTH);

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
    }

    static Stream<Arguments> mismatches() {
        return Stream.of(
                Arguments.of("authority: {grpcTls: {enabled: true, existingSecret: s}}",
                        "gateway.authorityTls.enabled: false (expected: true"),
                Arguments.of("gateway: {authorityTls: {enabled: true}}",
                        "gateway.authorityTls.enabled: true (expected: false unless authority.grpcTls.enabled"),
                Arguments.of("""
                        authority: {grpcTls: {enabled: true, existingSecret: s}}
                        gateway: {authorityTls: {enabled: true}}
                        """, "gateway.authorityTls: no client certificate"),
                Arguments.of("""
                        authority: {grpcTls: {enabled: true}}
                        gateway: {authorityTls: {enabled: true, existingSecret: c}}
                        """, "authority.grpcTls.existingSecret: empty"),
                Arguments.of("""
                        authorizerDummy: {enabled: true}
                        gateway: {authorityTls: {enabled: true}}
                        """, "the chart runs the authorizer-dummy in plaintext"),
                Arguments.of("authority: {grpcTls: {enabled: true, existingSecret: s, clientAuth: always}}",
                        "clientAuth"),
                Arguments.of("authority: {config: {grpc: {ssl: {bundle: mine}}}}", "ssl"));
    }

    @ParameterizedTest
    @MethodSource("mismatches")
    void valuesWithWhichTheSidesCannotTalkAreRefused(String values, String named) {
        assertThatThrownBy(() -> Chart.template(values))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(named);
    }

    private static Map<String, Object> application(Rendered rendered, String component) {
        return new Yaml().load(Yamls.string(rendered.get("ConfigMap", component + "-config"), "data", "application.yaml"));
    }
}
