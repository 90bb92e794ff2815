package dev.torii.gateway.routefile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.gateway.testing.OpenApiValidator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs {@code java -jar torii-gateway-exec.jar check} as another repository's CI would: a real
 * process with only a JDK and the gateway's jar, on good and broken folders, one broken folder
 * per kind of problem, and with {@code --openapi}, whose document a real validator checks.
 */
class RouteCheckCommandIT {

    private static final String OFFERS = """
            service: examples.offer.v1.OfferService
            upstream:
              target: localhost:50051
            auth: public
            methods:
              - GetOffer
            """;

    @TempDir
    Path dir;

    static Stream<Arguments> brokenFolders() {
        return Stream.of(
                Arguments.of("not YAML", Map.of("a.yaml", "service: [examples\nupstream: {}\n"),
                        "a.yaml", 2, "not valid YAML"),
                Arguments.of("a misspelt field", Map.of("a.yaml", OFFERS.replace("  target:", "  tagret:")),
                        "a.yaml", 3, "upstream.tagret: unknown field"),
                Arguments.of("an unknown service", Map.of("a.yaml", OFFERS.replace("OfferService", "OfferServce")),
                        "a.yaml", 1, "service: unknown service 'examples.offer.v1.OfferServce'"),
                Arguments.of("a method missing from the descriptor set",
                        Map.of("a.yaml", OFFERS.replace("- GetOffer", "- DeleteOffer")),
                        "a.yaml", 6, "methods[0]: unknown method 'DeleteOffer' in examples.offer.v1.OfferService"),
                Arguments.of("no auth policy", Map.of("a.yaml", OFFERS.replace("auth: public\n", "")),
                        "a.yaml", 5, "methods[0]: no auth policy"),
                Arguments.of("an impossible timeout", Map.of("a.yaml", OFFERS + "timeout: 2h\n"),
                        "a.yaml", 7, "timeout: '2h' (expected: between 1ms and 1h)"),
                Arguments.of("an impossible port", Map.of("a.yaml", OFFERS.replace("50051", "70000")),
                        "a.yaml", 3, "upstream.target: 'localhost:70000' (expected: host:port with a port from 1"),
                Arguments.of("a placeholder with no value",
                        Map.of("a.yaml", OFFERS.replace("localhost:50051", "${TORII_CHECK_IT_UNSET}")),
                        "a.yaml", 3, "upstream.target: '${TORII_CHECK_IT_UNSET}' has a placeholder with no value"),
                Arguments.of("a path exposed twice", Map.of("a.yaml", OFFERS, "b.yaml", OFFERS),
                        "b.yaml", 6, "methods: duplicate route /examples.offer.v1.OfferService/GetOffer (already"
                                + " defined at "),
                Arguments.of("a value only the schema refuses", Map.of("a.yaml", OFFERS.replace(
                        "  target: localhost:50051\n", "  target: localhost:50051\n  tls: \"false\"\n")),
                        "a.yaml", 4, "upstream.tls: string found, boolean expected"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFolders")
    void reportsEachProblemWithFileAndLineAndFails(String kind, Map<String, String> files, String file, int line,
            String message) throws Exception {
        for (Map.Entry<String, String> entry : files.entrySet()) {
            Files.writeString(dir.resolve(entry.getKey()), entry.getValue());
        }

        Result result = check(Map.of(), dir.toString());

        assertThat(result.exit()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).as(kind).contains(dir.resolve(file) + ":" + line + ": " + message);
        assertThat(result.lastLine()).matches(".*: [1-9][0-9]* problem\\(s\\) in route files");
    }

    @Test
    void passesTheRepositorysRouteFilesWithOneSummaryLine() throws Exception {
        Result result = check(Map.of(), System.getProperty("torii.test.routes-dir"));

        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.out().strip().lines()).singleElement().asString()
                .matches(".*routes: OK, [1-9][0-9]* route\\(s\\) of [1-9][0-9]* service\\(s\\) in [1-9][0-9]* file\\(s\\)");
    }

    @Test
    void resolvesPlaceholdersFromTheEnvironment() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), OFFERS.replace("localhost:50051", "${TORII_CHECK_IT_TARGET}"));

        assertThat(check(Map.of(), dir.toString()).exit()).isEqualTo(1);
        Result result = check(Map.of("TORII_CHECK_IT_TARGET", "offers.internal:443"), dir.toString());
        assertThat(result.exit()).as(result.toString()).isZero();
    }

    @Test
    void checksServicesAgainstTheGivenDescriptorSets() throws Exception {
        Files.writeString(dir.resolve("tests.yaml"), """
                service: torii.test.v1.TestService
                upstream: {target: "localhost:7000"}
                auth: public
                methods: [Echo]
                """);
        String testDescriptors = Path.of(getClass().getResource("/test-descriptors.binpb").toURI()).toString();

        assertThat(check(Map.of(), dir.toString()).out()).contains("unknown service 'torii.test.v1.TestService'");
        Result result = check(Map.of(), dir.toString(), "--descriptor-set=" + testDescriptors);
        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.out()).contains("OK, 1 route(s) of 1 service(s) in 1 file(s)");
    }

    @Test
    void writesTheOpenApiDocumentOfACleanFolderThatAValidatorAccepts() throws Exception {
        Path document = dir.resolve("openapi.json");
        Path other = dir.resolve("other.json");

        Result result = check(Map.of(), System.getProperty("torii.test.routes-dir"), "--openapi", document.toString());
        Result equalsForm = check(Map.of(), System.getProperty("torii.test.routes-dir"), "--openapi=" + other);

        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.lastLine()).matches(Pattern.quote(document.toString())
                + ": OpenAPI 3.1 document of [1-9][0-9]* route\\(s\\)");
        assertThat(Files.readString(document)).contains("\"/examples.offer.v1.OfferService/GetOffer\"");
        assertThat(equalsForm.exit()).as(equalsForm.toString()).isZero();
        assertThat(Files.readAllBytes(other)).as("the same routes give the same bytes").isEqualTo(Files.readAllBytes(document));
        assertThat(OpenApiValidator.validate(List.of(document))).containsEntry(document, "");
    }

    @Test
    void writesNoOpenApiDocumentForAFolderWithProblems() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), OFFERS.replace("- GetOffer", "- DeleteOffer"));
        Path document = dir.resolve("openapi.json");

        Result result = check(Map.of(), dir.toString(), "--openapi", document.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(document).doesNotExist();
        Result noFile = check(Map.of(), dir.toString(), "--openapi");
        assertThat(noFile.exit()).isEqualTo(2);
        assertThat(noFile.err()).contains("check: --openapi '' (expected: the file to write the document to)");
    }

    @Test
    void aMissingFolderIsAProblem() throws Exception {
        Result result = check(Map.of(), dir.resolve("none").toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).contains(dir.resolve("none") + ": not a readable folder");
    }

    @Test
    void misuseExitsWithTwoAndPrintsUsage() throws Exception {
        Result noFolder = check(Map.of());
        assertThat(noFolder.exit()).isEqualTo(2);
        assertThat(noFolder.err()).contains("0 folders given", "usage: java -jar torii-gateway-exec.jar check");

        Result unknownOption = check(Map.of(), dir.toString(), "--descriptors=x");
        assertThat(unknownOption.exit()).isEqualTo(2);
        assertThat(unknownOption.err()).contains("unknown option '--descriptors=x'");

        Result missingDescriptorSet = check(Map.of(), dir.toString(), "--descriptor-set=" + dir.resolve("none.binpb"));
        assertThat(missingDescriptorSet.exit()).isEqualTo(2);
        assertThat(missingDescriptorSet.err()).contains("none.binpb").contains("matched no file");
    }

    private record Result(int exit, String out, String err) {

        String lastLine() {
            List<String> lines = out.strip().lines().toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    private static Result check(Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("torii.test.exec-jar"), "check"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Path out = Files.createTempFile("check", ".out");
        Path err = Files.createTempFile("check", ".err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("check did not finish within 60s: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
