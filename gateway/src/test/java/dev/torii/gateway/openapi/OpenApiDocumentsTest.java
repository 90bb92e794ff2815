package dev.torii.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.routefile.RouteFileLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

/**
 * Checks that the documents follow the table in force: written once per table, anew after a
 * swap, with one document per route file named by its base name.
 */
class OpenApiDocumentsTest {

    @TempDir
    Path dir;

    @Test
    void writesTheDocumentsOncePerTableAndAnewForANewTable() throws IOException {
        RouteRegistry registry = new RouteRegistry(table(Map.of("offer-service.yaml", OpenApiGeneratorTest.OFFERS)));
        AtomicInteger bindingLookups = new AtomicInteger();
        OpenApiDocuments documents = new OpenApiDocuments(registry, new OpenApiGenerator("1.0", route -> {
            bindingLookups.incrementAndGet();
            return List.of();
        }));

        byte[] first = documents.allRoutes();
        int lookupsForOneTable = bindingLookups.get();
        assertThat(documents.allRoutes()).isSameAs(first);
        assertThat(documents.routeFile("offer-service")).isPresent();
        assertThat(bindingLookups.get()).as("no second generation for the same table").isEqualTo(lookupsForOneTable);
        assertThat(documents.routeFileNames()).containsExactly("offer-service");

        registry.swap(table(Map.of("offers.yml", OpenApiGeneratorTest.OFFERS.replace("  - WhoAmI\n", ""))));

        assertThat(documents.routeFileNames()).containsExactly("offers");
        assertThat(documents.routeFile("offer-service")).isEmpty();
        assertThat(new String(documents.allRoutes(), StandardCharsets.UTF_8))
                .doesNotContain("/examples.offer.v1.OfferService/WhoAmI")
                .contains("/examples.offer.v1.OfferService/GetOffer");
    }

    @Test
    void namesARouteFileByItsBaseName() {
        assertThat(OpenApiDocuments.name(Path.of("/routes/offer-service.yaml"))).isEqualTo("offer-service");
        assertThat(OpenApiDocuments.name(Path.of("search.v2.yml"))).isEqualTo("search.v2");
        assertThat(OpenApiDocuments.name(Path.of("plain"))).isEqualTo("plain");
    }

    private RouteTable table(Map<String, String> files) throws IOException {
        Path folder = Files.createTempDirectory(dir, "routes");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(folder.resolve(file.getKey()), file.getValue());
        }
        return new RouteFileLoader(DescriptorRegistry.of(List.of(OfferProto.getDescriptor())), new MockEnvironment(),
                Clock.systemUTC()).load(folder);
    }
}
