package dev.torii.gateway.routefile;

import dev.torii.gateway.route.AuthPolicy;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.ServiceRoutes;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteDurations;
import dev.torii.gateway.route.RouteSource;
import dev.torii.gateway.route.TrafficPolicy;
import dev.torii.gateway.route.UpstreamTarget;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.torii.gateway.grpc.ByteArrayMarshaller;
import dev.torii.gateway.grpc.DescriptorRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.core.env.PropertyResolver;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Loads a folder of route files into a {@link RouteTable}, checking each file against the
 * descriptor sets: the service and every method must exist and be unary, every path must be
 * unique, every value must make sense. All problems of all files are reported together.
 */
public final class RouteFileLoader {

    /** The timeout of a method when neither the method nor the file sets one. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final long MAX_FILE_BYTES = 1024 * 1024;

    private static final Set<String> FILE_FIELDS = Set.of("service", "audience", "upstream", "timeout", "auth",
            "rateLimit", "retry", "idempotent", "methods");
    private static final Set<String> UPSTREAM_FIELDS = Set.of("target", "tls", "local", "remote", "circuitBreaker",
            "maxConcurrentCalls");
    private static final Set<String> ENDPOINT_FIELDS = Set.of("target", "tls");
    private static final Set<String> CIRCUIT_BREAKER_FIELDS = Set.of("enabled", "failureRateThreshold",
            "slowCallDuration", "slowCallRateThreshold", "slidingWindowSize", "minimumNumberOfCalls", "waitInOpenState",
            "permittedCallsInHalfOpenState");
    private static final Set<String> RATE_LIMIT_FIELDS = Set.of("key", "rate", "period", "burst", "cost");
    private static final Set<String> RETRY_FIELDS = Set.of("attempts", "backoff", "maxBackoff");
    private static final Set<String> TLS_FIELDS = Set.of("enabled", "ca", "serverName", "certificate", "privateKey");
    private static final Set<String> METHOD_FIELDS = Set.of("name", "timeout", "auth", "rateLimit", "retry", "idempotent");
    private static final Set<String> AUTH_FIELDS = Set.of("users", "serviceAccounts");
    private static final Set<String> USER_FIELDS = Set.of("scopes");
    private static final Set<String> SERVICE_ACCOUNT_FIELDS = Set.of("emails", "roles");
    private static final Pattern AUDIENCE = Pattern.compile("[A-Za-z0-9._:/@-]{1,256}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9._-]+):(\\d{1,5})");
    private static final Pattern TARGET_URI = Pattern.compile("[a-z][a-z0-9+.-]*://.*");

    private final DescriptorRegistry descriptors;
    private final PropertyResolver placeholders;
    private final Clock clock;

    /**
     * Creates a loader.
     *
     * @param descriptors the services routes may name
     * @param placeholders resolves {@code ${NAME:default}} in route values (environment, properties)
     * @param clock stamps the loaded table
     */
    public RouteFileLoader(DescriptorRegistry descriptors, PropertyResolver placeholders, Clock clock) {
        this.descriptors = descriptors;
        this.placeholders = placeholders;
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

    private RouteTable load(List<Path> files, List<RouteProblem> problems) {
        List<ServiceRoutes> services = new ArrayList<>();
        Map<String, RouteSource> paths = new HashMap<>();
        Map<UpstreamTarget, MethodRoute> upstreamSettings = new HashMap<>();
        for (Path file : files) {
            YamlMapping.Problems fileProblems = new YamlMapping.Problems(file, problems);
            int before = problems.size();
            Optional<ServiceRoutes> service = parse(file, fileProblems);
            if (service.isEmpty() || problems.size() > before) {
                continue;
            }
            for (MethodRoute method : service.get().methods()) {
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
                RouteSource previous = paths.putIfAbsent(method.path(), method.source());
                if (previous != null) {
                    problems.add(new RouteProblem(file, method.source().line(), "methods",
                            "duplicate route " + method.path() + " (already defined at " + previous
                                    + "; expected: each method exposed by one route file)"));
                }
            }
            services.add(service.get());
        }
        if (!problems.isEmpty()) {
            throw new RouteFileException(problems);
        }
        return new RouteTable(services, clock.instant());
    }

    private Optional<ServiceRoutes> parse(Path file, YamlMapping.Problems problems) {
        Node root;
        try {
            root = compose(file);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            problems.addAt(line, "not valid YAML: " + e.getProblem());
            return Optional.empty();
        } catch (YAMLException | IOException e) {
            problems.addAt(0, "cannot be read: " + e.getMessage());
            return Optional.empty();
        }
        if (root == null) {
            problems.addAt(0, "empty (expected: service, upstream and methods)");
            return Optional.empty();
        }
        Optional<YamlMapping> top = YamlMapping.of(root, "", problems, placeholders);
        if (top.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping yaml = top.get();
        yaml.allowOnly(FILE_FIELDS);

        Optional<ServiceDescriptor> service = yaml.requiredString("service").flatMap(name -> {
            Optional<ServiceDescriptor> found = descriptors.findService(name);
            if (found.isEmpty()) {
                problems.add(yaml.get("service").orElseThrow(), "service", "unknown service '" + name
                        + "' (expected: a service in the descriptor sets " + descriptors.sources()
                        + ", such as " + abbreviate(descriptors.serviceNames()) + ")");
            }
            return found;
        });
        Optional<UpstreamSpec> upstream = upstream(yaml);
        Duration timeout = yaml.duration("timeout", MIN_TIMEOUT, MAX_TIMEOUT).orElse(DEFAULT_TIMEOUT);
        Optional<String> audience = yaml.optionalString("audience").filter(value -> {
            if (AUDIENCE.matcher(value).matches()) {
                return true;
            }
            problems.add(yaml.get("audience").orElseThrow(), "audience", "'" + value
                    + "' (expected: 1 to 256 letters, digits and . _ : / @ -)");
            return false;
        });
        Optional<AuthPolicy> auth = yaml.get("auth").isPresent() ? auth(yaml, "auth") : null;
        Optional<TrafficPolicy.RateLimit> rateLimit = rateLimit(yaml).orElse(Optional.empty());
        TrafficPolicy.Retry retry = retry(yaml).orElse(TrafficPolicy.Retry.NONE);
        boolean idempotent = yaml.bool("idempotent").orElse(false);
        Defaults defaults = new Defaults(timeout, auth,
                audience.orElse(service.map(ServiceDescriptor::getFullName).orElse("")), rateLimit, retry, idempotent);
        List<MethodRoute> methods = methods(yaml, service, upstream, defaults);
        if (service.isEmpty() || upstream.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ServiceRoutes(file, service.get().getFullName(), upstream.get().target(), timeout,
                methods));
    }

    private Node compose(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("larger than " + MAX_FILE_BYTES + " bytes");
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported with a line by YamlMapping instead
        options.setMaxAliasesForCollections(10);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        try (Reader reader = new java.io.InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder())) {
            Node first = null;
            int count = 0;
            for (Node document : yaml.composeAll(reader)) {
                if (count++ == 0) {
                    first = document;
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

    /** What a file says about its upstream: where it runs (and a preferred local copy) and how to protect it. */
    record UpstreamSpec(UpstreamTarget target, Optional<UpstreamTarget> local, TrafficPolicy.CircuitBreaker circuitBreaker,
            int maxConcurrentCalls, Node node) {}

    private Optional<UpstreamSpec> upstream(YamlMapping yaml) {
        Optional<Node> node = yaml.get("upstream");
        if (node.isEmpty()) {
            yaml.problems().add(yaml.node(), "upstream", "missing (expected: a mapping with target)");
            return Optional.empty();
        }
        Optional<YamlMapping> mapping = YamlMapping.of(node.get(), "upstream", yaml.problems(), placeholders);
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping upstream = mapping.get();
        upstream.allowOnly(UPSTREAM_FIELDS);
        int before = upstream.problems().count();
        Optional<UpstreamTarget> target;
        Optional<UpstreamTarget> local = Optional.empty();
        if (upstream.get("remote").isPresent() || upstream.get("local").isPresent()) {
            if (upstream.get("target").isPresent() || upstream.get("tls").isPresent()) {
                upstream.problems().add(upstream.node(), "upstream", "target and tls go inside local and remote"
                        + " when those are given (expected: either target, or local and remote)");
                return Optional.empty();
            }
            if (upstream.get("remote").isEmpty()) {
                upstream.problems().add(upstream.node(), "upstream.remote", "missing (expected: the remote target"
                        + " to use while the local one does not answer)");
                return Optional.empty();
            }
            target = endpoint(upstream, "remote");
            if (upstream.get("local").isPresent()) {
                local = endpoint(upstream, "local");
                if (local.isEmpty()) {
                    return Optional.empty();
                }
            }
        } else {
            target = endpointFields(upstream);
        }
        TrafficPolicy.CircuitBreaker breaker = circuitBreaker(upstream).orElse(TrafficPolicy.CircuitBreaker.DEFAULT);
        int maxConcurrentCalls = upstream.integer("maxConcurrentCalls", 1, 100_000)
                .map(Long::intValue).orElse(TrafficPolicy.DEFAULT_MAX_CONCURRENT_CALLS);
        if (target.isEmpty() || upstream.problems().count() > before) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamSpec(target.get(), local, breaker, maxConcurrentCalls, node.get()));
    }

    private Optional<UpstreamTarget> endpoint(YamlMapping upstream, String key) {
        return YamlMapping.of(upstream.get(key).orElseThrow(), upstream.field(key), upstream.problems(), placeholders)
                .flatMap(endpoint -> {
                    endpoint.allowOnly(ENDPOINT_FIELDS);
                    return endpointFields(endpoint);
                });
    }

    // Reads target and tls of an upstream, or of its local or remote part.
    private Optional<UpstreamTarget> endpointFields(YamlMapping mapping) {
        Optional<String> target = mapping.requiredString("target").filter(value -> {
            if (TARGET_URI.matcher(value).matches()) {
                return true;
            }
            var hostPort = HOST_PORT.matcher(value);
            if (hostPort.matches() && Integer.parseInt(hostPort.group(2)) > 0
                    && Integer.parseInt(hostPort.group(2)) <= 65535) {
                return true;
            }
            mapping.problems().add(mapping.get("target").orElseThrow(), mapping.field("target"), "'" + value
                    + "' (expected: host:port with a port from 1 to 65535, or a gRPC target such as dns:///host:port)");
            return false;
        });
        Optional<UpstreamTarget.Tls> tls = tls(mapping);
        if (target.isEmpty() || tls.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamTarget(target.get(), tls.get()));
    }

    private Optional<TrafficPolicy.CircuitBreaker> circuitBreaker(YamlMapping upstream) {
        Optional<Node> node = upstream.get("circuitBreaker");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        return YamlMapping.of(node.get(), upstream.field("circuitBreaker"), upstream.problems(), placeholders)
                .flatMap(cb -> {
                    cb.allowOnly(CIRCUIT_BREAKER_FIELDS);
                    TrafficPolicy.CircuitBreaker d = TrafficPolicy.CircuitBreaker.DEFAULT;
                    int before = cb.problems().count();
                    boolean enabled = cb.bool("enabled").orElse(d.enabled());
                    int failureRate = cb.integer("failureRateThreshold", 1, 100).map(Long::intValue)
                            .orElse(d.failureRateThreshold());
                    Duration slowCall = cb.duration("slowCallDuration", MIN_TIMEOUT, MAX_TIMEOUT)
                            .orElse(d.slowCallDuration());
                    int slowRate = cb.integer("slowCallRateThreshold", 1, 100).map(Long::intValue)
                            .orElse(d.slowCallRateThreshold());
                    int window = cb.integer("slidingWindowSize", 1, 10_000).map(Long::intValue)
                            .orElse(d.slidingWindowSize());
                    int minimum = cb.integer("minimumNumberOfCalls", 1, 10_000).map(Long::intValue)
                            .orElse(Math.min(d.minimumNumberOfCalls(), window));
                    Duration open = cb.duration("waitInOpenState", MIN_TIMEOUT, MAX_TIMEOUT).orElse(d.waitInOpenState());
                    int halfOpen = cb.integer("permittedCallsInHalfOpenState", 1, 1000).map(Long::intValue)
                            .orElse(d.permittedCallsInHalfOpenState());
                    if (minimum > window) {
                        cb.problems().add(cb.node(), cb.field("minimumNumberOfCalls"), minimum
                                + " (expected: at most slidingWindowSize " + window + ", or the rates are never judged)");
                    }
                    if (cb.problems().count() > before) {
                        return Optional.empty();
                    }
                    return Optional.of(new TrafficPolicy.CircuitBreaker(enabled, failureRate, slowCall, slowRate, window,
                            minimum, open, halfOpen));
                });
    }

    // rateLimit: the file's or the method's; "none" on a method turns the file's off.
    private Optional<Optional<TrafficPolicy.RateLimit>> rateLimit(YamlMapping parent) {
        Optional<Node> node = parent.get("rateLimit");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof ScalarNode) {
            return parent.string(node.get(), parent.field("rateLimit")).flatMap(text -> {
                if (text.equals("none")) {
                    return Optional.of(Optional.<TrafficPolicy.RateLimit>empty());
                }
                parent.problems().add(node.get(), parent.field("rateLimit"), "'" + text
                        + "' (expected: none, or a mapping with key, rate, period, burst and cost)");
                return Optional.of(Optional.<TrafficPolicy.RateLimit>empty());
            });
        }
        return Optional.of(YamlMapping.of(node.get(), parent.field("rateLimit"), parent.problems(), placeholders)
                .flatMap(limit -> {
                    limit.allowOnly(RATE_LIMIT_FIELDS);
                    int before = limit.problems().count();
                    Optional<TrafficPolicy.RateLimitKey> key = limit.requiredString("key").flatMap(text -> {
                        TrafficPolicy.RateLimitKey parsed = RateLimitKeys.parse(text);
                        if (parsed == null) {
                            limit.problems().add(limit.get("key").orElseThrow(), limit.field("key"), "'" + text
                                    + "' (expected: principal, user, serviceAccount, clientIp, route or header:<Name>)");
                        }
                        return Optional.ofNullable(parsed);
                    });
                    Optional<Long> rate = limit.integer("rate", 1, 1_000_000_000L);
                    if (limit.get("rate").isEmpty()) {
                        limit.problems().add(limit.node(), limit.field("rate"), "missing (expected: tokens per period)");
                    }
                    Duration period = limit.duration("period", Duration.ofMillis(1), Duration.ofDays(1))
                            .orElse(Duration.ofSeconds(1));
                    long cost = limit.integer("cost", 1, 1_000_000_000L).orElse(1L);
                    long burst = limit.integer("burst", 1, 1_000_000_000L).orElse(rate.orElse(1L));
                    if (burst < cost) {
                        limit.problems().add(limit.node(), limit.field("burst"), "burst " + burst + " is less than cost "
                                + cost + " (expected: burst >= cost, or no request could ever pass)");
                    }
                    if (limit.problems().count() > before || key.isEmpty() || rate.isEmpty()) {
                        return Optional.empty();
                    }
                    return Optional.of(new TrafficPolicy.RateLimit(key.get(), rate.get(), period, burst, cost));
                }));
    }

    private Optional<TrafficPolicy.Retry> retry(YamlMapping parent) {
        Optional<Node> node = parent.get("retry");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        return YamlMapping.of(node.get(), parent.field("retry"), parent.problems(), placeholders).flatMap(retry -> {
            retry.allowOnly(RETRY_FIELDS);
            int before = retry.problems().count();
            int attempts = retry.integer("attempts", 1, 5).map(Long::intValue).orElse(1);
            Duration backoff = retry.duration("backoff", Duration.ofMillis(1), Duration.ofSeconds(10))
                    .orElse(TrafficPolicy.Retry.NONE.backoff());
            Duration maxBackoff = retry.duration("maxBackoff", Duration.ofMillis(1), Duration.ofMinutes(1))
                    .orElse(backoff.multipliedBy(10));
            if (maxBackoff.compareTo(backoff) < 0) {
                retry.problems().add(retry.node(), retry.field("maxBackoff"), RouteDurations.format(maxBackoff)
                        + " is shorter than backoff " + RouteDurations.format(backoff) + " (expected: maxBackoff >= backoff)");
            }
            return retry.problems().count() > before ? Optional.empty()
                    : Optional.of(new TrafficPolicy.Retry(attempts, backoff, maxBackoff));
        });
    }

    private Optional<UpstreamTarget.Tls> tls(YamlMapping upstream) {
        Optional<Node> node = upstream.get("tls");
        if (node.isEmpty()) {
            return Optional.of(UpstreamTarget.Tls.PLAINTEXT);
        }
        if (node.get() instanceof ScalarNode) {
            return upstream.bool(node.get(), upstream.field("tls"))
                    .map(enabled -> enabled ? UpstreamTarget.Tls.DEFAULT_TLS : UpstreamTarget.Tls.PLAINTEXT);
        }
        Optional<YamlMapping> mapping = YamlMapping.of(node.get(), upstream.field("tls"), upstream.problems(), placeholders);
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping tls = mapping.get();
        tls.allowOnly(TLS_FIELDS);
        int before = tls.problems().count();
        boolean enabled = tls.bool("enabled").orElse(true);
        Optional<Path> ca = readableFile(tls, "ca");
        Optional<String> serverName = tls.optionalString("serverName");
        Optional<Path> certificate = readableFile(tls, "certificate");
        Optional<Path> privateKey = readableFile(tls, "privateKey");
        if (certificate.isPresent() != privateKey.isPresent()) {
            tls.problems().add(tls.node(), upstream.field("tls"), "certificate and privateKey go together"
                    + " (expected: both for mutual TLS, or neither)");
        }
        if (tls.problems().count() > before) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamTarget.Tls(enabled, ca, serverName, certificate, privateKey));
    }

    private static Optional<Path> readableFile(YamlMapping mapping, String key) {
        return mapping.optionalString(key).flatMap(value -> {
            Path path = Path.of(value);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                mapping.problems().add(mapping.get(key).orElseThrow(), mapping.field(key),
                        "'" + value + "' is not a readable file (expected: a PEM file)");
                return Optional.empty();
            }
            return Optional.of(path);
        });
    }

    // The file-wide settings a method inherits. auth is null when the file sets none, and empty
    // when the file sets a broken one (already reported).
    private record Defaults(Duration timeout, Optional<AuthPolicy> auth, String audience,
            Optional<TrafficPolicy.RateLimit> rateLimit, TrafficPolicy.Retry retry, boolean idempotent) {}

    private Optional<AuthPolicy> auth(YamlMapping parent, String field) {
        Node node = parent.get("auth").orElseThrow();
        if (node instanceof ScalarNode) {
            return parent.string(node, field).flatMap(value -> {
                if (value.equals("public")) {
                    return Optional.of(AuthPolicy.PUBLIC);
                }
                parent.problems().add(node, field, "'" + value
                        + "' (expected: public, or a mapping with users and/or serviceAccounts)");
                return Optional.empty();
            });
        }
        Optional<YamlMapping> mapping = YamlMapping.of(node, field, parent.problems(), placeholders);
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping auth = mapping.get();
        auth.allowOnly(AUTH_FIELDS);
        int before = auth.problems().count();
        Optional<AuthPolicy.UserRule> users = auth.get("users").flatMap(usersNode ->
                rule(auth, "users", usersNode, USER_FIELDS).flatMap(rule -> rule.stringList("scopes"))
                        .map(scopes -> new AuthPolicy.UserRule(new java.util.HashSet<>(scopes))));
        Optional<AuthPolicy.ServiceAccountRule> serviceAccounts = auth.get("serviceAccounts").flatMap(accountsNode ->
                rule(auth, "serviceAccounts", accountsNode, SERVICE_ACCOUNT_FIELDS).flatMap(rule -> {
                    Optional<List<String>> emails = rule.stringList("emails");
                    Optional<List<String>> roles = rule.stringList("roles");
                    return emails.isPresent() && roles.isPresent()
                            ? Optional.of(new AuthPolicy.ServiceAccountRule(new java.util.HashSet<>(emails.get()),
                                    new java.util.HashSet<>(roles.get())))
                            : Optional.empty();
                }));
        if (auth.problems().count() > before) {
            return Optional.empty();
        }
        if (users.isEmpty() && serviceAccounts.isEmpty()) {
            auth.problems().add(node, field, "admits nobody (expected: public, or users and/or serviceAccounts)");
            return Optional.empty();
        }
        return Optional.of(new AuthPolicy(false, users, serviceAccounts));
    }

    // users: {} and serviceAccounts: {} admit everyone of that kind; a null value means the same.
    private Optional<YamlMapping> rule(YamlMapping auth, String key, Node node, Set<String> fields) {
        if (node instanceof ScalarNode scalar && scalar.getTag().getValue().endsWith(":null")) {
            return Optional.of(YamlMapping.of(new org.yaml.snakeyaml.nodes.MappingNode(
                    org.yaml.snakeyaml.nodes.Tag.MAP, List.of(), org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW),
                    auth.field(key), auth.problems(), placeholders).orElseThrow());
        }
        Optional<YamlMapping> mapping = YamlMapping.of(node, auth.field(key), auth.problems(), placeholders);
        mapping.ifPresent(m -> m.allowOnly(fields));
        return mapping;
    }

    private List<MethodRoute> methods(YamlMapping yaml, Optional<ServiceDescriptor> service,
            Optional<UpstreamSpec> upstream, Defaults defaults) {
        Optional<Node> node = yaml.get("methods");
        if (node.isEmpty()) {
            yaml.problems().add(yaml.node(), "methods", "missing (expected: a list of the methods to expose)");
            return List.of();
        }
        if (!(node.get() instanceof SequenceNode list) || list.getValue().isEmpty()) {
            yaml.problems().add(node.get(), "methods", "a " + YamlMapping.kind(node.get())
                    + (node.get() instanceof SequenceNode ? " with no entries" : "")
                    + " (expected: a list of method names, or of mappings with name and timeout)");
            return List.of();
        }
        List<MethodRoute> methods = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node entry = list.getValue().get(i);
            String field = "methods[" + i + "]";
            Optional<String> name;
            Optional<Duration> timeout = Optional.empty();
            Optional<AuthPolicy> auth = defaults.auth();
            Optional<TrafficPolicy.RateLimit> rateLimit = defaults.rateLimit();
            TrafficPolicy.Retry retry = defaults.retry();
            boolean idempotent = defaults.idempotent();
            if (entry instanceof ScalarNode) {
                name = yaml.string(entry, field);
            } else {
                Optional<YamlMapping> mapping = YamlMapping.of(entry, field, yaml.problems(), placeholders);
                if (mapping.isEmpty()) {
                    continue;
                }
                mapping.get().allowOnly(METHOD_FIELDS);
                name = mapping.get().requiredString("name");
                timeout = mapping.get().duration("timeout", MIN_TIMEOUT, MAX_TIMEOUT);
                if (mapping.get().get("auth").isPresent()) {
                    auth = auth(mapping.get(), field + ".auth");
                }
                rateLimit = rateLimit(mapping.get()).orElse(rateLimit);
                retry = retry(mapping.get()).orElse(retry);
                idempotent = mapping.get().bool("idempotent").orElse(idempotent);
            }
            if (auth == null) {
                // No accidental public routes: every method needs a policy, from the file or its own.
                yaml.problems().add(entry, field, "no auth policy (expected: auth at the top of the file or on"
                        + " the method: public, or users and/or serviceAccounts)");
                continue;
            }
            if (name.isEmpty() || service.isEmpty()) {
                continue;
            }
            Integer previous = seen.putIfAbsent(name.get(), YamlMapping.line(entry));
            if (previous != null) {
                yaml.problems().add(entry, field, "'" + name.get() + "' is listed twice (first at line "
                        + previous + "; expected: once)");
                continue;
            }
            MethodDescriptor method = service.get().findMethodByName(name.get());
            if (method == null) {
                yaml.problems().add(entry, field, "unknown method '" + name.get() + "' in "
                        + service.get().getFullName() + " (expected one of: " + service.get().getMethods().stream()
                                .map(MethodDescriptor::getName).collect(Collectors.joining(", ")) + ")");
                continue;
            }
            if (method.isClientStreaming() || method.isServerStreaming()) {
                yaml.problems().add(entry, field, "'" + name.get() + "' is a "
                        + (method.isClientStreaming() ? "client" : "server") + "-streaming method"
                        + " (expected: a unary method; the gateway does not expose streaming methods)");
                continue;
            }
            if (upstream.isEmpty()) {
                continue;
            }
            String fullName = io.grpc.MethodDescriptor.generateFullMethodName(
                    service.get().getFullName(), method.getName());
            if (auth.isEmpty()) {
                continue;
            }
            if (rateLimit.isPresent() && auth.get().isPublic() && needsPrincipal(rateLimit.get().key())) {
                yaml.problems().add(entry, field, "rate limit key " + rateLimit.get().key().describe()
                        + " on a public route (expected: clientIp, route or header:<Name>; a public route has no caller"
                        + " identity)");
                continue;
            }
            UpstreamSpec spec = upstream.get();
            TrafficPolicy traffic = new TrafficPolicy(rateLimit, retry, idempotent, spec.circuitBreaker(),
                    spec.maxConcurrentCalls());
            methods.add(new MethodRoute("/" + fullName, method, ByteArrayMarshaller.unaryMethod(fullName),
                    spec.target(), spec.local(), timeout.orElse(defaults.timeout()), auth.get(), defaults.audience(),
                    traffic, new RouteSource(yaml.problems().file(), YamlMapping.line(entry))));
        }
        return methods;
    }

    private static boolean needsPrincipal(TrafficPolicy.RateLimitKey key) {
        return switch (key.kind()) {
            case PRINCIPAL, USER, SERVICE_ACCOUNT -> true;
            default -> false;
        };
    }

    private static String abbreviate(Set<String> names) {
        return names.isEmpty() ? "(none)" : names.stream().limit(5).collect(Collectors.joining(", "))
                + (names.size() > 5 ? ", ..." : "");
    }
}
