package dev.torii.gateway.routefile;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.test.v1.TestServiceOuterClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.springframework.mock.env.MockEnvironment;

/**
 * Fuzzes route-file loading through the loader's public API, with arbitrary bytes as the one file
 * of a routes folder: the outcome is a route table or a {@link RouteFileException} whose problems
 * name the file, nothing else (no parser exception, no stack overflow, no hang on a YAML bomb).
 */
class RouteFileLoaderFuzzTest {

    private static final DescriptorRegistry DESCRIPTORS = DescriptorRegistry.of(List.of(
            OfferProto.getDescriptor(), TestServiceOuterClass.getDescriptor()));

    // One folder for the run: Jazzer reuses the test instance for every input.
    private final Path dir;
    private final Path file;
    private final RouteFileLoader loader = new RouteFileLoader(DESCRIPTORS,
            new MockEnvironment().withProperty("BACKEND", "backend:9000"), Clock.systemUTC());

    RouteFileLoaderFuzzTest() throws IOException {
        dir = Files.createTempDirectory("route-file-fuzz");
        dir.toFile().deleteOnExit();
        file = dir.resolve("fuzz.yaml");
        file.toFile().deleteOnExit();
    }

    @FuzzTest(maxDuration = "60s")
    void loadsOrReportsProblems(byte[] yaml) {
        try {
            Files.write(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RouteTable table;
        try {
            table = loader.load(dir);
        } catch (RouteFileException problems) {
            assertThat(problems.problems()).isNotEmpty()
                    .allSatisfy(problem -> assertThat(problem.file()).isEqualTo(file));
            return;
        }
        assertThat(table).isNotNull();
    }
}
