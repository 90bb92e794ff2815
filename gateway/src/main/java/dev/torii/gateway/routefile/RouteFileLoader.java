package dev.torii.gateway.routefile;

import dev.torii.gateway.httprule.ConflictingBindingException;
import dev.torii.gateway.httprule.HttpBinding;
import dev.torii.gateway.httprule.PathMatcher;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteSource;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.ServiceRoutes;
import dev.torii.gateway.route.UpstreamTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.core.env.PropertyResolver;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a folder of route files into a {@link RouteTable}, the same way at start-up, on a reload
 * and in the {@code check} command. Each file is read ({@link RouteFileParser}), held against the
 * route-file JSON Schema ({@link RouteFileSchema}: fields, types, enumerations, ranges, required
 * fields), and built against the descriptor sets ({@link ServiceRoutesReader}); then the files
 * are checked against each other: no path exposed twice, one set of guard settings per upstream.
 * All problems of all files are reported together.
 */
public final class RouteFileLoader {

    /** The timeout of a method when neither the method nor the file sets one. */
    public static final Duration DEFAULT_TIMEOUT = ServiceRoutesReader.DEFAULT_TIMEOUT;

    private final PropertyResolver placeholders;
    private final RouteFileSchema schema;
    private final ServiceRoutesReader reader;
    private final Clock clock;

    /**
     * Creates a loader.
     *
     * @param descriptors the services routes may name
     * @param placeholders resolves {@code ${NAME:default}} in route values (environment, properties)
     * @param clock stamps the loaded table
     * @throws IllegalStateException when the route-file schema is missing from the class path
     */
    public RouteFileLoader(DescriptorRegistry descriptors, PropertyResolver placeholders, Clock clock) {
        this.placeholders = placeholders;
        this.schema = RouteFileSchema.bundled(placeholders);
        this.reader = new ServiceRoutesReader(descriptors);
        this.clock = clock;
    }

    /**
     * Lists the route files of a folder: {@code *.yaml} and {@code *.yml}, skipping hidden entries
     * (such as the {@code ..data} folders of a Kubernetes ConfigMap volume), sorted by name.
     *
     * @param dir the folder
     * @return the files
     * @throws IOException when the folder cannot be listed
     */
    public static List<Path> routeFiles(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> p.getFileName().toString().endsWith(".yaml")
                            || p.getFileName().toString().endsWith(".yml"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
    }

    /**
     * Loads every route file of {@code dir}.
     *
     * @param dir the routes folder
     * @return the table
     * @throws RouteFileException listing every problem found, when any file is unusable
     */
    public RouteTable load(Path dir) {
        List<RouteProblem> problems = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            problems.add(new RouteProblem(dir, 0, "", "not a readable folder (expected: a folder of route files;"
                    + " set torii.gateway.routes-dir)"));
            throw new RouteFileException(problems);
        }
        List<Path> files;
        try {
            files = routeFiles(dir);
        } catch (IOException e) {
            problems.add(new RouteProblem(dir, 0, "", "cannot be listed: " + e.getMessage()));
            throw new RouteFileException(problems);
        }
        return load(files, problems);
    }

    /**
     * Loads the given route files.
     *
     * @param files the route files
     * @return the table
     * @throws RouteFileException listing every problem found, when any file is unusable
     */
    public RouteTable load(List<Path> files) {
        return load(files, new ArrayList<>());
    }

    /**
     * Loads one route file held in memory, such as one the gateway writes for itself, with every
     * check a route file on disk gets.
     *
     * @param file the name problems are reported under and routes point back to
     * @param text the route file's text
     * @return the table
     * @throws RouteFileException listing every problem found, when the text is unusable
     */
    public RouteTable load(Path file, String text) {
        List<RouteProblem> problems = new ArrayList<>();
        List<ServiceRoutes> services = new ArrayList<>();
        RouteFileParser.parse(file, text, problems).flatMap(root -> read(file, root, problems))
                .ifPresent(services::add);
        checkAcrossFiles(services, problems);
        if (!problems.isEmpty()) {
            throw new RouteFileException(problems);
        }
        return new RouteTable(services, clock.instant());
    }

    private RouteTable load(List<Path> files, List<RouteProblem> problems) {
        List<ServiceRoutes> services = new ArrayList<>();
        for (Path file : files) {
            read(file, problems).ifPresent(services::add);
        }
        checkAcrossFiles(services, problems);
        if (!problems.isEmpty()) {
            throw new RouteFileException(problems);
        }
        return new RouteTable(services, clock.instant());
    }

    // Each stage runs only on what the one before accepted: the schema on a readable document, the
    // reader on a document of the right shape, so every problem is reported once, by its stage.
    private Optional<ServiceRoutes> read(Path file, List<RouteProblem> problems) {
        return RouteFileParser.parse(file, problems).flatMap(root -> read(file, root, problems));
    }

    private Optional<ServiceRoutes> read(Path file, Node root, List<RouteProblem> problems) {
        List<RouteProblem> shape = schema.check(file, root);
        if (!shape.isEmpty()) {
            problems.addAll(shape);
            return Optional.empty();
        }
        YamlMapping.Problems fileProblems = new YamlMapping.Problems(file, problems);
        return reader.read(new YamlMapping(root, "", fileProblems, placeholders));
    }

    private static void checkAcrossFiles(List<ServiceRoutes> services, List<RouteProblem> problems) {
        Map<String, RouteSource> paths = new HashMap<>();
        Map<UpstreamTarget, MethodRoute> upstreamSettings = new HashMap<>();
        PathMatcher.Builder<MethodRoute> templates = PathMatcher.builder();
        for (ServiceRoutes service : services) {
            for (MethodRoute method : service.methods()) {
                Path file = method.source().file();
                // A local target has guards of its own too, so it is held to the same rule.
                List<UpstreamTarget> targets = new ArrayList<>(List.of(method.upstream()));
                method.localUpstream().ifPresent(targets::add);
                for (UpstreamTarget target : targets) {
                    MethodRoute first = upstreamSettings.putIfAbsent(target, method);
                    if (first != null && (!first.traffic().circuitBreaker().equals(method.traffic().circuitBreaker())
                            || first.traffic().maxConcurrentCalls() != method.traffic().maxConcurrentCalls())) {
                        problems.add(new RouteProblem(file, method.source().line(), "upstream", "circuitBreaker or"
                                + " maxConcurrentCalls of " + target + " differ from " + first.source()
                                + " (expected: the same settings wherever an upstream is named, since it has one"
                                + " breaker)"));
                    }
                }
                for (HttpBinding binding : method.httpBindings()) {
                    try {
                        templates.add(binding, method);
                    } catch (ConflictingBindingException e) {
                        problems.add(new RouteProblem(file, method.source().line(), "http", e.getMessage()
                                + " (expected: each verb and path template served by one method; change one"
                                + " template, or replace a proto's rule with http: on the method)"));
                    }
                }
                RouteSource previous = paths.putIfAbsent(method.path(), method.source());
                if (previous != null) {
                    problems.add(new RouteProblem(file, method.source().line(), "methods",
                            "duplicate route " + method.path() + " (already defined at " + previous
                                    + "; expected: each method exposed by one route file)"));
                }
            }
        }
    }
}
