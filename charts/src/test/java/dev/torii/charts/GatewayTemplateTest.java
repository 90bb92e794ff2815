package dev.torii.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.charts.Chart.Rendered;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the chart renders for the gateway: routes, configuration, ports, probes, shutdown, security. */
class GatewayTemplateTest {

    private static final String GATEWAY = "torii-gateway";
    private static final Path OFFER_ROUTES = Chart.ROUTES.resolve("offer-service.yaml");

    private static Rendered withOfferRoutes(String values) {
        return Chart.template(values, Map.of("routes.offer-service\\.yaml", OFFER_ROUTES));
    }

    @Test
    void routeFilesGivenWithSetFileLandVerbatimInTheRoutesConfigMap() throws IOException {
        Rendered rendered = withOfferRoutes("");

        Map<String, Object> data = Yamls.map(rendered.get("ConfigMap", GATEWAY + "-routes"), "data");
        assertThat(data).containsOnlyKeys("offer-service.yaml");
        assertThat(data.get("offer-service.yaml")).isEqualTo(Files.readString(OFFER_ROUTES));
    }

    @Test
    void routesAreMountedAsAFolderWhereTheGatewayLooksForThem() {
        Rendered rendered = withOfferRoutes("");
        Map<String, Object> container = rendered.container(GATEWAY, "gateway");
        String routesDir = Yamls.string(Rendered.env(container).get("TORII_GATEWAY_ROUTES_DIR"), "value");

        Map<String, Object> mount = mount(container, "routes");
        assertThat(mount).containsEntry("mountPath", routesDir).containsEntry("readOnly", true)
                .as("a subPath mount never sees ConfigMap updates, so routes would not hot-reload")
                .doesNotContainKey("subPath");
        assertThat(Yamls.string(volume(rendered.podSpec(GATEWAY), "routes"), "configMap", "name"))
                .isEqualTo(GATEWAY + "-routes");
    }

    @Test
    void anExistingRoutesConfigMapReplacesTheRenderedOne() {
        Rendered rendered = Chart.template("routes: {existingConfigMap: platform-routes}");

        assertThat(rendered.has("ConfigMap", GATEWAY + "-routes")).isFalse();
        assertThat(Yamls.string(volume(rendered.podSpec(GATEWAY), "routes"), "configMap", "name"))
                .isEqualTo("platform-routes");
    }

    @Test
    void editingRoutesLeavesThePodTemplateAloneButEditingConfigurationRollsIt() {
        Map<String, Object> before = podTemplate(withOfferRoutes(""));
        Map<String, Object> otherRoutes = podTemplate(Chart.template("", Map.of(
                "routes.offer-service\\.yaml", Chart.tempFile("routes", ".yaml", "service: other\n"))));
        Map<String, Object> otherConfig = podTemplate(withOfferRoutes("gateway: {config: {max-request-size: 8MB}}"));

        assertThat(otherRoutes).as("routes hot-reload; a changed pod template would restart every gateway")
                .isEqualTo(before);
        assertThat(Yamls.map(otherConfig, "metadata", "annotations").get("checksum/config"))
                .isNotNull()
                .isNotEqualTo(Yamls.map(before, "metadata", "annotations").get("checksum/config"));
    }

    @Test
    void gatewayConfigIsRenderedIntoTheApplicationYamlSpringReadsFromConfig() {
        Rendered rendered = Chart.template("""
                gateway:
                  config: {max-request-size: 8MB, authority: {timeout: 1s}}
                  extraConfig: {logging: {level: {dev.torii: DEBUG}}}
                """);
        Map<String, Object> container = rendered.container(GATEWAY, "gateway");

        Map<String, Object> application = new org.yaml.snakeyaml.Yaml().load(
                Yamls.string(rendered.get("ConfigMap", GATEWAY + "-config"), "data", "application.yaml"));
        assertThat(Yamls.string(application, "torii", "gateway", "max-request-size")).isEqualTo("8MB");
        assertThat(Yamls.string(application, "torii", "gateway", "authority", "timeout")).isEqualTo("1s");
        assertThat(Yamls.string(application, "logging", "level", "dev.torii")).isEqualTo("DEBUG");
        assertThat(Yamls.string(Rendered.env(container).get("SPRING_CONFIG_ADDITIONAL_LOCATION"), "value"))
                .isEqualTo("optional:file:/config/");
        assertThat(mount(container, "config")).containsEntry("mountPath", "/config");
    }

    @Test
    void probesAskTheActuatorOnTheManagementPort() {
        Map<String, Object> container = Chart.template().container(GATEWAY, "gateway");

        assertThat(containerPort(container, "management")).isEqualTo(8081);
        assertThat(containerPort(container, "http")).isEqualTo(8080);
        assertProbe(container, "startupProbe", "/actuator/health/liveness");
        assertProbe(container, "livenessProbe", "/actuator/health/liveness");
        assertProbe(container, "readinessProbe", "/actuator/health/readiness");
    }

    @Test
    void thePublicServiceServesPort80AndNeverTheManagementPort() {
        Rendered rendered = Chart.template();

        List<Map<String, Object>> publicPorts = Yamls.maps(rendered.get("Service", GATEWAY), "spec", "ports");
        assertThat(publicPorts).singleElement().satisfies(port -> assertThat(port)
                .containsEntry("port", 80).containsEntry("targetPort", "http"));
        Map<String, Object> management = rendered.get("Service", GATEWAY + "-management");
        assertThat(Yamls.string(management, "spec", "type")).isEqualTo("ClusterIP");
        assertThat(Yamls.maps(management, "spec", "ports")).singleElement()
                .satisfies(port -> assertThat(port).containsEntry("targetPort", "management"));
    }

    @Test
    void thePodsRunAsNonRootOnAReadOnlyFilesystemWithAWritableTmp() {
        Rendered rendered = Chart.template();
        Map<String, Object> container = rendered.container(GATEWAY, "gateway");

        assertThat(Yamls.map(rendered.podSpec(GATEWAY), "securityContext")).containsEntry("runAsNonRoot", true);
        assertThat(Yamls.map(container, "securityContext"))
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(mount(container, "tmp")).containsEntry("mountPath", "/tmp");
        assertThat(volume(rendered.podSpec(GATEWAY), "tmp")).containsKey("emptyDir");
        assertThat(Yamls.map(container, "resources")).containsKeys("requests", "limits");
    }

    @Test
    void shutdownDrainsBeforeTheGracePeriodEnds() {
        Rendered rendered = Chart.template();
        Map<String, Object> container = rendered.container(GATEWAY, "gateway");

        int preStop = (Integer) Yamls.at(container, "lifecycle", "preStop", "sleep", "seconds");
        int grace = (Integer) Yamls.at(rendered.podSpec(GATEWAY), "terminationGracePeriodSeconds");
        int springShutdownPhase = 20; // gateway application.yaml: spring.lifecycle.timeout-per-shutdown-phase
        assertThat(preStop).isPositive();
        assertThat(grace).isGreaterThan(preStop + springShutdownPhase);

        Map<String, Object> exec = Chart.template("preStopAction: exec").container(GATEWAY, "gateway");
        assertThat(Yamls.list(exec, "lifecycle", "preStop", "exec", "command")).containsExactly("sleep", "5");
    }

    @Test
    void redisAndDescriptorSetsAreExternalSettings() {
        Map<String, Object> container = Chart.template("""
                redis: {uri: "redis://redis:6379/0"}
                gateway: {descriptorSets: {existingConfigMap: my-descriptors}}
                """).container(GATEWAY, "gateway");
        Map<String, Map<String, Object>> env = Rendered.env(container);

        assertThat(Yamls.string(env.get("TORII_GATEWAY_REDIS_URI"), "value")).isEqualTo("redis://redis:6379/0");
        assertThat(Yamls.string(env.get("TORII_GATEWAY_DESCRIPTOR_SETS"), "value"))
                .isEqualTo("classpath*:META-INF/torii/descriptors/*.binpb,file:/etc/torii/descriptors/*.binpb");
        assertThat(mount(container, "descriptors")).containsEntry("mountPath", "/etc/torii/descriptors");
        assertThat(Rendered.env(Chart.template().container(GATEWAY, "gateway")))
                .doesNotContainKeys("TORII_GATEWAY_REDIS_URI", "TORII_GATEWAY_DESCRIPTOR_SETS");
    }

    @Test
    void tracingExportsOnlyWhenAnEndpointIsGiven() {
        Map<String, Map<String, Object>> defaults = Rendered.env(Chart.template().container(GATEWAY, "gateway"));
        assertThat(defaults).doesNotContainKey("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT");
        assertThat(Yamls.string(defaults.get("MANAGEMENT_TRACING_SAMPLING_PROBABILITY"), "value")).isEqualTo("0.1");

        Map<String, Map<String, Object>> env = Rendered.env(Chart.template("""
                gateway:
                  tracing: {otlpEndpoint: "http://collector:4318/v1/traces", samplingProbability: 1}
                """).container(GATEWAY, "gateway"));
        assertThat(Yamls.string(env.get("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT"), "value"))
                .isEqualTo("http://collector:4318/v1/traces");
        assertThat(Yamls.string(env.get("MANAGEMENT_TRACING_SAMPLING_PROBABILITY"), "value")).isEqualTo("1");
    }

    @Test
    void theJvmRunsOnTheMeasuredHeapWithFewMallocArenasUnlessTold() {
        Map<String, Map<String, Object>> defaults = Rendered.env(Chart.template().container(GATEWAY, "gateway"));
        assertThat(Yamls.string(defaults.get("JAVA_TOOL_OPTIONS"), "value")).contains("-Xmx256m", "-XX:+UseSerialGC");
        assertThat(Yamls.string(defaults.get("MALLOC_ARENA_MAX"), "value")).isEqualTo("2");

        Map<String, Map<String, Object>> env = Rendered.env(Chart.template("""
                gateway: {mallocArenaMax: "", javaToolOptions: "-Xmx1g"}
                """).container(GATEWAY, "gateway"));
        assertThat(env).doesNotContainKey("MALLOC_ARENA_MAX");
        assertThat(Yamls.string(env.get("JAVA_TOOL_OPTIONS"), "value")).isEqualTo("-Xmx1g");
    }

    @Test
    void extraEnvReachesRouteFilePlaceholders() {
        Map<String, Object> container = Chart.template("""
                gateway:
                  extraEnv: [{name: OFFER_SERVICE_TARGET, value: "offer-service.shop:50051"}]
                """).container(GATEWAY, "gateway");

        assertThat(Yamls.string(Rendered.env(container).get("OFFER_SERVICE_TARGET"), "value"))
                .isEqualTo("offer-service.shop:50051");
    }

    static Map<String, Object> podTemplate(Rendered rendered) {
        return Yamls.map(rendered.get("Deployment", GATEWAY), "spec", "template");
    }

    static Map<String, Object> mount(Map<String, Object> container, String volume) {
        return Yamls.maps(container, "volumeMounts").stream().filter(m -> volume.equals(m.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no mount of " + volume + " in " + container.get("name")));
    }

    static Map<String, Object> volume(Map<String, Object> podSpec, String name) {
        return Yamls.maps(podSpec, "volumes").stream().filter(v -> name.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    static Object containerPort(Map<String, Object> container, String name) {
        return Yamls.maps(container, "ports").stream().filter(p -> name.equals(p.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no port " + name)).get("containerPort");
    }

    static void assertProbe(Map<String, Object> container, String probe, String path) {
        assertThat(Yamls.string(container, probe, "httpGet", "path")).as(probe).isEqualTo(path);
        assertThat(Yamls.string(container, probe, "httpGet", "port")).as(probe).isEqualTo("management");
    }
}
