package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.gateway.openapi.OpenApiGenerator;
import dev.torii.gateway.openapi.RestOperation;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.reload.RouteReloader;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.testing.ConfigMapFolder;
import dev.torii.gateway.testing.HeadlessChromium;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.gateway.testing.OpenApiValidator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fetches the OpenAPI documents from a running gateway's management port and has a validator no
 * one here wrote ({@code @apidevtools/swagger-parser}) check them, with and without REST
 * bindings; loads the Swagger UI page in a real browser, its files all from the gateway; and
 * changes the routes folder to see the documents follow the routes in force.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String OFFERS = """
            service: examples.offer.v1.OfferService
            upstream: {target: "localhost:50051"}
            timeout: 5s
            auth:
              users: {}
              serviceAccounts: {roles: [support.reader]}
            methods:
              - name: CreateOffer
                auth: {users: {scopes: [offers.write]}}
              - name: GetOffer
                auth: public
              - WatchOffers
            """;
    private static final String TESTS = """
            service: torii.test.v1.TestService
            upstream: {target: "localhost:50052"}
            auth: {serviceAccounts: {}}
            methods: [Echo, Fail, Stream]
            """;

    private static ConfigMapFolder routes;

    @Autowired
    private Environment environment;
    @Autowired
    private ReloadStatus reloadStatus;
    @Autowired
    private RouteRegistry registry;

    @TempDir
    Path dir;

    private HttpCalls management;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        routes = ConfigMapFolder.create();
        routes.write(Map.of("offers.yaml", OFFERS, "tests.yaml", TESTS));
        registry.add("torii.gateway.routes-dir", () -> routes.dir().toString());
        registry.add("torii.gateway.descriptor-sets",
                () -> "classpath*:META-INF/torii/descriptors/*.binpb,classpath:test-descriptors.binpb");
        registry.add("torii.gateway.authority.target", () -> "localhost:1");
        registry.add("torii.gateway.reload.poll-interval", () -> "500ms");
        registry.add("management.server.port", () -> "0");
    }

    @BeforeEach
    void startFromTheFirstSet() throws IOException {
        management = new HttpCalls(environment.getRequiredProperty("local.management.port", Integer.class));
        apply(Map.of("offers.yaml", OFFERS, "tests.yaml", TESTS));
    }

    @Test
    void theServedDocumentsAreValidOpenApi31() throws Exception {
        List<Path> files = new ArrayList<>();
        for (String path : List.of("/actuator/openapi", "/actuator/openapi/offers", "/actuator/openapi/tests")) {
            HttpResponse<byte[]> response = get(management, path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            Path file = dir.resolve(path.substring(path.lastIndexOf('/') + 1) + ".json");
            Files.write(file, response.body());
            files.add(file);
        }

        assertThat(OpenApiValidator.validate(files)).hasSize(3).allSatisfy((file, error) ->
                assertThat(error).as(file.toString()).isEmpty());
        JsonNode all = JSON.readTree(files.get(0).toFile());
        assertThat(all.get("paths").propertyNames()).contains("/examples.offer.v1.OfferService/GetOffer",
                "/torii.test.v1.TestService/Stream", "/v1/offers", "/v1/offers/{id}",
                "/v1/sellers/{seller_id}/offers:watch");
        assertThat(all.get("paths").get("/v1/offers/{id}").propertyNames()).containsExactly("get");
        JsonNode offers = JSON.readTree(files.get(1).toFile());
        assertThat(offers.get("paths").propertyNames())
                .allMatch(p -> p.startsWith("/examples.offer.v1.OfferService/") || p.startsWith("/v1/"));
        assertThat(get(management, "/actuator/openapi/none").statusCode()).isEqualTo(404);
    }

    @Test
    void aDocumentWithRestBindingsIsValidToo() throws Exception {
        Map<String, List<RestOperation>> bindings = Map.of(
                "CreateOffer", List.of(new RestOperation("post", "/v1/offers", List.of(), "*", ""),
                        new RestOperation("patch", "/v1/items/{item_id}/offer", List.of("item_id"), "price", "")),
                "GetOffer", List.of(new RestOperation("get", "/v1/offers/{id}", List.of("id"), "", ""),
                        new RestOperation("get", "/v1/offers/{id}/title", List.of("id"), "", "title")),
                "WatchOffers", List.of(new RestOperation("get", "/v1/sellers/{seller_id}/offers:watch",
                        List.of("seller_id"), "", "")),
                "Echo", List.of(new RestOperation("get", "/v1/echo/{text}", List.of("text"), "", "")),
                "Stream", List.of(new RestOperation("post", "/v1/streams", List.of(), "*", "")));
        Function<MethodRoute, List<RestOperation>> restOperations =
                route -> bindings.getOrDefault(route.methodName(), List.of());
        Path file = dir.resolve("rest.json");

        Files.write(file, OpenApiGenerator.json(new OpenApiGenerator("1.0", restOperations)
                .allRoutes(registry.current())));

        assertThat(OpenApiValidator.validate(List.of(file))).containsEntry(file, "");
        assertThat(JSON.readTree(file.toFile()).get("paths").propertyNames()).contains("/v1/offers/{id}",
                "/v1/sellers/{seller_id}/offers:watch", "/v1/echo/{text}");
    }

    @Test
    void theValidatorRefusesABrokenDocument() throws Exception {
        Path file = dir.resolve("broken.json");
        JsonNode document = JSON.readTree(get(management, "/actuator/openapi/offers").body());
        ((tools.jackson.databind.node.ObjectNode) document.get("components")).remove("schemas");
        Files.write(file, JSON.writeValueAsBytes(document));

        assertThat(OpenApiValidator.validate(List.of(file)).get(file)).contains("$ref");
    }

    @Test
    void aReloadRegeneratesTheDocuments() {
        assertThat(paths()).doesNotContain("/examples.offer.v1.OfferService/WhoAmI");

        apply(Map.of("offers.yaml", OFFERS + "  - WhoAmI\n"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(paths())
                .contains("/examples.offer.v1.OfferService/WhoAmI")
                .noneMatch(path -> path.startsWith("/torii.test.v1.TestService/")));
        assertThat(get(management, "/actuator/openapi/tests").statusCode()).isEqualTo(404);
    }

    @Test
    void theSwaggerUiPageAndItsFilesComeFromTheManagementPort() throws Exception {
        HttpResponse<byte[]> page = get(management, "/actuator/apidocs");
        assertThat(page.statusCode()).isEqualTo(200);
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertThat(html).contains("src=\"apidocs/swagger-ui-bundle.js\"", "{\"name\":\"offers\",\"url\":\"openapi/offers\"}",
                "validatorUrl: null").doesNotContain("https://", "http://");
        for (String file : List.of("swagger-ui.css", "index.css", "swagger-ui-bundle.js",
                "swagger-ui-standalone-preset.js", "favicon-32x32.png")) {
            HttpResponse<byte[]> asset = get(management, "/actuator/apidocs/" + file);
            assertThat(asset.statusCode()).as(file).isEqualTo(200);
            assertThat(asset.body()).as(file).isEqualTo(webjarFile(file));
            assertThat(asset.headers().firstValue("Content-Type").orElse(""))
                    .startsWith(file.endsWith(".css") ? "text/css" : file.endsWith(".js") ? "text/javascript" : "image/png");
        }
        assertThat(get(management, "/actuator/apidocs/index.html").statusCode()).isEqualTo(404);
        HttpCalls publicPort = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));
        assertThat(get(publicPort, "/actuator/apidocs").statusCode()).isEqualTo(404);
        assertThat(get(publicPort, "/actuator/openapi").statusCode()).isEqualTo(404);
        assertThat(get(publicPort, "/webjars/swagger-ui/" + webjarVersion() + "/swagger-ui.css").statusCode())
                .as("Swagger UI's files stay off the public port").isNotEqualTo(200);
        assertThat(new String(get(management, "/actuator/torii").body(), StandardCharsets.UTF_8))
                .contains("<a href=\"apidocs\" id=\"api-documents\">");
    }

    @Test
    void aBrowserRendersTheOperationsOfTheRoutesInForce() throws Exception {
        URI page = URI.create(management.base() + "/actuator/apidocs");

        String dom = HeadlessChromium.locate().dumpDomAfter(page, Duration.ofSeconds(15));

        assertThat(dom).contains("Torii gateway: all routes", "/examples.offer.v1.OfferService/CreateOffer",
                "/torii.test.v1.TestService/Echo", "examples.offer.v1.Offer");
    }

    private List<String> paths() {
        return new ArrayList<>(JSON.readTree(get(management, "/actuator/openapi").body()).get("paths").propertyNames());
    }

    private static HttpResponse<byte[]> get(HttpCalls port, String path) {
        return port.send(HttpRequest.newBuilder(URI.create(port.base() + path)).GET().build());
    }

    private static byte[] webjarFile(String name) throws IOException {
        try (InputStream in = OpenApiIT.class.getClassLoader()
                .getResourceAsStream("META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/" + name)) {
            return in.readAllBytes();
        }
    }

    private static String webjarVersion() throws IOException {
        try (InputStream pom = OpenApiIT.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            Properties properties = new Properties();
            properties.load(pom);
            return properties.getProperty("version");
        }
    }

    private void apply(Map<String, String> files) {
        try {
            routes.write(files);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> reloadStatus.snapshot().last().digest().equals(RouteReloader.digest(routes.dir())));
    }
}
