package dev.torii.gateway.routefile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

class RouteFileSchemaTest {

    @TempDir
    Path dir;

    private final MockEnvironment environment = new MockEnvironment().withProperty("TLS_ON", "true");
    private final RouteFileSchema schema = RouteFileSchema.bundled(environment);

    @Test
    void theExampleRouteFilesConform() throws IOException {
        List<Path> examples = RouteFileLoader.routeFiles(Path.of(System.getProperty("torii.test.routes-dir", "../routes")));

        assertThat(examples).isNotEmpty();
        examples.forEach(file -> assertThat(schema.check(file)).as(file.toString()).isEmpty());
    }

    @Test
    void aQuotedBooleanIsOneProblemOnItsLine() throws IOException {
        Path file = write("""
                service: examples.offer.v1.OfferService
                upstream:
                  target: localhost:50051
                  tls: "false"
                auth: public
                methods: [GetOffer]
                """);

        List<RouteProblem> problems = schema.check(file);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(4);
            assertThat(problem.field()).isEqualTo("upstream.tls");
            assertThat(problem.message()).contains("boolean expected").endsWith("(route-file.schema.json)")
                    .doesNotContain("one and only one");
            assertThat(problem.toString()).startsWith(file + ":4: upstream.tls: ");
        });
    }

    @Test
    void anUnknownFieldPointsAtItsKey() throws IOException {
        Path file = write("""
                service: examples.offer.v1.OfferService
                upstream:
                  target: localhost:50051
                auth: public
                methods:
                  - name: GetOffer
                    timeuot: 2s
                """);

        assertThat(schema.check(file)).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(7);
            assertThat(problem.field()).isEqualTo("methods[0].timeuot");
        });
    }

    @Test
    void aMissingFieldPointsAtItsMapping() throws IOException {
        Path file = write("""
                service: examples.offer.v1.OfferService
                auth: public
                methods: [GetOffer]
                """);

        assertThat(schema.check(file)).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(1);
            assertThat(problem.field()).isEqualTo("upstream");
            assertThat(problem.message()).contains("upstream");
        });
    }

    @Test
    void placeholdersAreResolvedAndTypedAsAtRunTime() throws IOException {
        Path typed = write("""
                service: examples.offer.v1.OfferService
                upstream:
                  target: ${TARGET:localhost:50051}
                  tls: ${TLS_ON}
                auth: public
                methods: [GetOffer]
                """);
        assertThat(schema.check(typed)).isEmpty();

        Path quoted = write("""
                service: examples.offer.v1.OfferService
                upstream:
                  target: ${TARGET:localhost:50051}
                  tls: "${TLS_ON}"
                auth: public
                methods: [GetOffer]
                """);
        assertThat(schema.check(quoted)).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(4));
    }

    @Test
    void unreadableYamlIsLeftToTheLoader() throws IOException {
        assertThat(schema.check(write("service: [a\n"))).isEmpty();
    }

    private Path write(String content) throws IOException {
        Path file = Files.createTempFile(dir, "routes", ".yaml");
        Files.writeString(file, content);
        return file;
    }
}
