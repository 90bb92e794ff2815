package dev.torii.gateway.routefile;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one route file into a YAML node tree that keeps every value's line, and reports what
 * makes a file unusable before its shape can be judged: unreadable, larger than 1 MiB, not UTF-8,
 * not YAML, more than one document, empty, keys that are not plain strings or that appear twice
 * (a JSON Schema sees neither: in JSON, a mapping's keys are strings and the last duplicate wins).
 */
final class RouteFileParser {

    private static final long MAX_FILE_BYTES = 1024 * 1024;
    // Route files nest five levels deep; a deeper tree is a mistake or an alias that refers to itself.
    private static final int MAX_DEPTH = 32;

    private RouteFileParser() {}

    /**
     * Parses a route file.
     *
     * @param file the route file
     * @param problems where problems go
     * @return the document's root, or empty when the file is unusable (then a problem is added)
     */
    static Optional<Node> parse(Path file, List<RouteProblem> problems) {
        return parse(file, () -> compose(file, true), problems);
    }

    /**
     * Parses a route file the gateway wrote itself, held in memory, as {@link #parse(Path, List)}
     * parses one read from disk.
     *
     * @param file the name problems are reported under
     * @param text the route file's text
     * @param problems where problems go
     * @return the document's root, or empty when the text is unusable (then a problem is added)
     */
    static Optional<Node> parse(Path file, String text, List<RouteProblem> problems) {
        return parse(file, () -> compose(new StringReader(text), true), problems);
    }

    // Reads the first document, or throws as compose does.
    @FunctionalInterface
    private interface Composer {
        Node compose() throws IOException;
    }

    private static Optional<Node> parse(Path file, Composer composer, List<RouteProblem> problems) {
        Node root;
        try {
            root = composer.compose();
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            problems.add(new RouteProblem(file, line, "", "not valid YAML: " + e.getProblem()));
            return Optional.empty();
        } catch (YAMLException | IOException e) {
            problems.add(new RouteProblem(file, 0, "", "cannot be read: " + e.getMessage()));
            return Optional.empty();
        }
        if (root == null) {
            problems.add(new RouteProblem(file, 0, "", "empty (expected: service, upstream and methods)"));
            return Optional.empty();
        }
        int before = problems.size();
        checkKeys(file, root, "", 0, problems);
        return problems.size() > before ? Optional.empty() : Optional.of(root);
    }

    /**
     * Reads the first document of a file, without the checks of {@link #parse}.
     *
     * @param file the route file
     * @param onlyOne whether a second document is an error
     * @return the root, or null for an empty file
     * @throws IOException when the file cannot be read, or is larger than 1 MiB or not UTF-8
     * @throws YAMLException when it is not YAML
     */
    static Node compose(Path file, boolean onlyOne) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("larger than " + MAX_FILE_BYTES + " bytes");
        }
        return compose(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()), onlyOne);
    }

    private static Node compose(Reader text, boolean onlyOne) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported with a line by checkKeys instead
        options.setMaxAliasesForCollections(10);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        try (Reader reader = text) {
            Node first = null;
            int count = 0;
            for (Node document : yaml.composeAll(reader)) {
                if (count++ == 0) {
                    first = document;
                    if (!onlyOne) {
                        break;
                    }
                } else {
                    throw new MarkedYAMLException(null, null, "more than one document (expected: one per file)",
                            document.getStartMark()) {
                        private static final long serialVersionUID = 1L;
                    };
                }
            }
            return first;
        } catch (YAMLException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new IOException("not UTF-8 text", e);
            }
            throw e;
        }
    }

    private static void checkKeys(Path file, Node node, String path, int depth, List<RouteProblem> problems) {
        if (depth > MAX_DEPTH) {
            problems.add(new RouteProblem(file, YamlMapping.line(node), path, "nested more than " + MAX_DEPTH
                    + " levels deep (expected: the few levels of a route file)"));
            return;
        }
        if (node instanceof MappingNode mapping) {
            Set<String> seen = new HashSet<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    problems.add(new RouteProblem(file, YamlMapping.line(tuple.getKeyNode()), path,
                            "a key that is not a plain string (expected: a field name)"));
                    continue;
                }
                String field = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                if (!seen.add(key.getValue())) {
                    problems.add(new RouteProblem(file, YamlMapping.line(key), field, "appears twice (expected: once)"));
                }
                checkKeys(file, tuple.getValueNode(), field, depth + 1, problems);
            }
        } else if (node instanceof SequenceNode sequence) {
            for (int i = 0; i < sequence.getValue().size(); i++) {
                checkKeys(file, sequence.getValue().get(i), path + "[" + i + "]", depth + 1, problems);
            }
        }
    }
}
