package dev.torii.gateway.routefile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.httprule.JsonPrintOptions;
import dev.torii.gateway.httprule.Match;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.test.v1.TestServiceOuterClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

/**
 * REST bindings in the route table: the protos' {@code google.api.http} options, the rules a
 * route file declares instead, and the problems either can have, each reported with file and
 * line before the table takes effect.
 */
class HttpRulesInRouteFilesTest {

    private static final DescriptorRegistry DESCRIPTORS = DescriptorRegistry.of(java.util.List.of(
            OfferProto.getDescriptor(), TestServiceOuterClass.getDescriptor()));
    private static final String OFFERS = """
            service: examples.offer.v1.OfferService
            upstream: {target: "localhost:1"}
            auth: public
            """;

    @TempDir
    Path dir;

    private final RouteFileLoader loader = new RouteFileLoader(DESCRIPTORS, new MockEnvironment(), Clock.systemUTC());

    @Test
    void aMethodListedInARouteFileExposesItsProtosBindings() throws IOException {
        write("offers.yaml", OFFERS + "methods: [CreateOffer, GetOffer, WhoAmI, WatchOffers]\n");

        RouteTable table = loader.load(dir);

        assertThat(table.hasHttpBindings()).isTrue();
        assertThat(found(table, "GET", "/v1/offers/abc-1")).satisfies(found -> {
            assertThat(found.value().methodName()).isEqualTo("GetOffer");
            assertThat(found.variables()).containsEntry("id", "abc-1");
        });
        assertThat(found(table, "POST", "/v1/offers").value().methodName()).isEqualTo("CreateOffer");
        assertThat(found(table, "POST", "/v1/offers").binding().body()).isEqualTo("*");
        assertThat(found(table, "GET", "/v1/me").value().methodName()).isEqualTo("WhoAmI");
        assertThat(found(table, "GET", "/v1/sellers/alice/offers:watch")).satisfies(found -> {
            assertThat(found.value().methodName()).isEqualTo("WatchOffers");
            assertThat(found.variables()).containsEntry("seller_id", "alice");
        });
        assertThat(table.matchHttp("DELETE", "/v1/offers/abc-1")).isInstanceOfSatisfying(Match.MethodNotAllowed.class,
                notAllowed -> assertThat(notAllowed.allowed()).containsExactly("GET"));
        assertThat(table.matchHttp("GET", "/v2/nothing")).isInstanceOf(Match.NotFound.class);
    }

    @Test
    void aMethodTheFileDoesNotListHasNoRestPath() throws IOException {
        write("offers.yaml", OFFERS + "methods: [GetOffer]\n");

        RouteTable table = loader.load(dir);

        assertThat(table.matchHttp("GET", "/v1/me")).isInstanceOf(Match.NotFound.class);
        assertThat(table.matchHttp("POST", "/v1/offers")).isInstanceOf(Match.NotFound.class);
    }

    @Test
    void aRouteFileMayDeclareRulesInsteadOfTheProtosOrNone() throws IOException {
        write("offers.yaml", OFFERS + """
                methods:
                  - name: WhoAmI
                    http:
                      get: /v1/whoami
                      additionalBindings:
                        - post: /v1/whoami:check
                          body: "*"
                  - name: GetOffer
                    http: none
                """);
        write("tests.yaml", """
                service: torii.test.v1.TestService
                upstream: {target: "localhost:2"}
                auth: public
                methods:
                  - name: Echo
                    http: {get: "/v1/echo/{text}"}
                """);

        RouteTable table = loader.load(dir);

        assertThat(table.matchHttp("GET", "/v1/me")).isInstanceOf(Match.NotFound.class);
        assertThat(found(table, "GET", "/v1/whoami").value().methodName()).isEqualTo("WhoAmI");
        assertThat(found(table, "POST", "/v1/whoami:check").value().methodName()).isEqualTo("WhoAmI");
        assertThat(table.matchHttp("GET", "/v1/offers/1")).isInstanceOf(Match.NotFound.class);
        assertThat(found(table, "GET", "/v1/echo/hello").variables()).containsEntry("text", "hello");
    }

    @Test
    void jsonPrintOptionsComeFromTheFileAndTheMethod() throws IOException {
        write("offers.yaml", OFFERS + """
                jsonPrint: {emitDefaults: true}
                methods:
                  - GetOffer
                  - name: WhoAmI
                    jsonPrint: {protoFieldNames: true, enumsAsInts: true}
                """);

        RouteTable table = loader.load(dir);

        assertThat(table.find("/examples.offer.v1.OfferService/GetOffer").jsonPrint())
                .isEqualTo(new JsonPrintOptions(false, true, false));
        assertThat(table.find("/examples.offer.v1.OfferService/WhoAmI").jsonPrint())
                .isEqualTo(new JsonPrintOptions(true, true, true));
    }

    @Test
    void aTemplateTwoMethodsServeIsALoadErrorWithFileAndLine() throws IOException {
        write("a.yaml", OFFERS + "methods: [GetOffer]\n");
        Path second = write("b.yaml", """
                service: torii.test.v1.TestService
                upstream: {target: "localhost:2"}
                auth: public
                methods:
                  - name: Echo
                    http: {get: "/v1/offers/{text}"}
                """);

        assertThatThrownBy(() -> loader.load(dir)).isInstanceOfSatisfying(RouteFileException.class, e ->
                assertThat(e.problems()).singleElement().satisfies(problem -> {
                    assertThat(problem.file()).isEqualTo(second);
                    assertThat(problem.line()).isEqualTo(5);
                    assertThat(problem.toString()).contains("/v1/offers/{");
                }));
    }

    @Test
    void aBrokenDeclaredRuleIsALoadErrorWithFileAndLine() throws IOException {
        Path file = write("offers.yaml", OFFERS + """
                methods:
                  - name: GetOffer
                    http: {get: "/v1/offers/{nope}"}
                """);

        assertThatThrownBy(() -> loader.load(dir)).isInstanceOfSatisfying(RouteFileException.class, e ->
                assertThat(e.problems()).singleElement().satisfies(problem -> {
                    assertThat(problem.file()).isEqualTo(file);
                    assertThat(problem.line()).isEqualTo(6);
                    assertThat(problem.field()).isEqualTo("methods[0].http");
                    assertThat(problem.toString()).contains("nope");
                }));
    }

    @Test
    void theSchemaRefusesARuleWithTwoVerbsOrNone() throws IOException {
        write("offers.yaml", OFFERS + """
                methods:
                  - name: GetOffer
                    http: {get: "/v1/a", post: "/v1/b"}
                """);

        assertThatThrownBy(() -> loader.load(dir)).isInstanceOf(RouteFileException.class)
                .hasMessageContaining("offers.yaml:6");

        write("offers.yaml", OFFERS + """
                methods:
                  - name: GetOffer
                    http: {body: "*"}
                """);

        assertThatThrownBy(() -> loader.load(dir)).isInstanceOf(RouteFileException.class)
                .hasMessageContaining("offers.yaml:6");
    }

    private static Match.Found<MethodRoute> found(RouteTable table, String method, String path) {
        Match<MethodRoute> match = table.matchHttp(method, path);
        assertThat(match).as(method + " " + path).isInstanceOf(Match.Found.class);
        return (Match.Found<MethodRoute>) match;
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
