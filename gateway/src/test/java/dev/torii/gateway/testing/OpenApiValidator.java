package dev.torii.gateway.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OpenAPI validator that no one here wrote: {@code @apidevtools/swagger-parser} in a Node.js
 * process, which checks a document against the OpenAPI 3.1 schema and resolves every
 * {@code $ref}. It runs {@code src/test/js/validate-openapi.mjs}, which the build installs with
 * its locked dependencies into {@code target/js}.
 */
public final class OpenApiValidator {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenApiValidator() {}

    /**
     * Validates documents.
     *
     * @param documents the document files
     * @return for each file, in order, the validator's error, or an empty string when it is valid
     * @throws IllegalStateException when Node.js or the validator is missing, or the validator fails
     */
    public static Map<Path, String> validate(List<Path> documents) throws IOException, InterruptedException {
        Path jsDir = Path.of(System.getProperty("torii.test.js-dir", "target/js")).toAbsolutePath();
        if (!Files.isDirectory(jsDir.resolve("node_modules/@apidevtools/swagger-parser"))) {
            throw new IllegalStateException("@apidevtools/swagger-parser is not installed in " + jsDir
                    + " (expected: npm ci there, which the gateway's build runs before its integration tests)");
        }
        List<String> command = Stream.concat(Stream.of(nodeOnPath(), jsDir.resolve("validate-openapi.mjs").toString()),
                documents.stream().map(document -> document.toAbsolutePath().toString())).toList();
        Path out = Files.createTempFile("validate-openapi", ".out");
        Process process = new ProcessBuilder(command).directory(jsDir.toFile())
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("the validator failed: " + Files.readString(out, StandardCharsets.UTF_8));
            }
            Map<Path, String> results = new LinkedHashMap<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                JsonNode result = JSON.readTree(line);
                results.put(Path.of(result.get("file").asString()),
                        result.get("valid").asBoolean() ? "" : result.get("error").asString());
            }
            return results;
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    private static String nodeOnPath() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "node")).filter(Files::isExecutable).findFirst()
                .map(Path::toString).orElseThrow(() -> new IllegalStateException("node not found on PATH"
                        + " (expected: Debian's nodejs package, as scripts/test-deps.sh installs it)"));
    }
}
