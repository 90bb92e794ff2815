package dev.torii.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * Runs the real Helm (helm-java's native library) on {@code charts/torii}: {@code helm template} with
 * values given as YAML text and {@code --set-file} files, and {@code helm lint} on the chart or on a
 * copy of it whose {@code values.yaml} carries other values (helm-java's lint takes no values).
 */
final class Chart {

    static final Path DIR = Path.of(System.getProperty("torii.chart.dir", "torii")).toAbsolutePath();
    static final Path ROUTES = Path.of(System.getProperty("torii.routes.dir", "../routes")).toAbsolutePath();
    static final String RELEASE = "torii";
    static final String NAMESPACE = "edge";

    private Chart() {
    }

    /** Renders the chart with its default values. */
    static Rendered template() {
        return template("", Map.of());
    }

    /** Renders the chart with these values (YAML text, may be empty). */
    static Rendered template(String valuesYaml) {
        return template(valuesYaml, Map.of());
    }

    /**
     * Renders the chart.
     *
     * @param valuesYaml values as YAML text, as in a {@code -f} file
     * @param setFiles {@code --set-file} keys and the files whose text they take
     * @return the rendered documents
     * @throws IllegalStateException with Helm's message when rendering fails (schema, {@code fail})
     */
    static Rendered template(String valuesYaml, Map<String, Path> setFiles) {
        TemplateCommand command = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (!valuesYaml.isBlank()) {
            command = command.withValuesFile(tempFile("values", ".yaml", valuesYaml));
        }
        for (Map.Entry<String, Path> file : setFiles.entrySet()) {
            command = command.setFile(file.getKey(), file.getValue());
        }
        return Rendered.parse(command.call());
    }

    /** Lints the chart as it is, with {@code --strict} (warnings fail too). */
    static LintResult lint() {
        return new Helm(DIR).lint().strict().call();
    }

    /**
     * Lints a copy of the chart whose {@code values.yaml} is the chart's defaults deep-merged with
     * {@code overridesYaml}.
     */
    static LintResult lintWithValues(String overridesYaml) {
        Path copy = copyChart();
        Yaml yaml = new Yaml();
        Map<String, Object> values;
        try {
            values = yaml.load(Files.readString(DIR.resolve("values.yaml")));
            Map<String, Object> overrides = yaml.load(overridesYaml);
            deepMerge(values, overrides);
            Files.writeString(copy.resolve("values.yaml"), yaml.dump(values));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Helm(copy).lint().strict().call();
    }

    @SuppressWarnings("unchecked")
    private static void deepMerge(Map<String, Object> into, Map<String, Object> from) {
        for (Map.Entry<String, Object> entry : from.entrySet()) {
            Object current = into.get(entry.getKey());
            if (current instanceof Map && entry.getValue() instanceof Map) {
                deepMerge((Map<String, Object>) current, (Map<String, Object>) entry.getValue());
            } else {
                into.put(entry.getKey(), entry.getValue());
            }
        }
    }

    private static Path copyChart() {
        try {
            Path target = Files.createTempDirectory("torii-chart-").resolve("torii");
            try (Stream<Path> files = Files.walk(DIR)) {
                for (Path source : (Iterable<Path>) files::iterator) {
                    Path destination = target.resolve(DIR.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(destination);
                    } else {
                        Files.copy(source, destination);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path tempFile(String prefix, String suffix, String text) {
        try {
            Path file = Files.createTempFile(prefix, suffix);
            file.toFile().deleteOnExit();
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents {@code helm template} printed, parsed. */
    record Rendered(List<Map<String, Object>> documents) {

        @SuppressWarnings("unchecked")
        static Rendered parse(String output) {
            List<Map<String, Object>> documents = new ArrayList<>();
            for (Object document : new Yaml().loadAll(output)) {
                if (document != null) {
                    documents.add((Map<String, Object>) document);
                }
            }
            return new Rendered(documents);
        }

        List<Map<String, Object>> ofKind(String kind) {
            return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        }

        /** The document of this kind and name, or an assertion error listing what there is. */
        Map<String, Object> get(String kind, String name) {
            return ofKind(kind).stream()
                    .filter(d -> name.equals(Yamls.string(d, "metadata", "name")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " (rendered: "
                            + names() + ")"));
        }

        boolean has(String kind, String name) {
            return ofKind(kind).stream().anyMatch(d -> name.equals(Yamls.string(d, "metadata", "name")));
        }

        /** "Kind/name" of every document, for assertion messages. */
        List<String> names() {
            return documents.stream().map(d -> d.get("kind") + "/" + Yamls.string(d, "metadata", "name")).toList();
        }

        /** Documents labelled with this app.kubernetes.io/component. */
        List<Map<String, Object>> ofComponent(String component) {
            return documents.stream()
                    .filter(d -> component.equals(Yamls.map(d, "metadata", "labels").get("app.kubernetes.io/component")))
                    .toList();
        }

        /** The named container of a Deployment's pod template. */
        Map<String, Object> container(String deployment, String container) {
            return Yamls.list(get("Deployment", deployment), "spec", "template", "spec", "containers").stream()
                    .map(Yamls::asMap)
                    .filter(c -> container.equals(c.get("name")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no container " + container + " in " + deployment));
        }

        /** A Deployment's pod spec. */
        Map<String, Object> podSpec(String deployment) {
            return Yamls.map(get("Deployment", deployment), "spec", "template", "spec");
        }

        /** A container's environment as name → EnvVar. */
        static Map<String, Map<String, Object>> env(Map<String, Object> container) {
            Map<String, Map<String, Object>> env = new LinkedHashMap<>();
            for (Object entry : Yamls.list(container, "env")) {
                Map<String, Object> var = Yamls.asMap(entry);
                env.put((String) var.get("name"), var);
            }
            return env;
        }
    }
}
