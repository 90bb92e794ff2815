package dev.torii.gateway.routefile;

import dev.torii.gateway.route.TrafficPolicy;
import dev.torii.gateway.route.UpstreamTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the {@code upstream} of a route file the schema has accepted: its target (or local and
 * remote targets), TLS settings, circuit breaker and concurrency limit. Checks what the schema
 * cannot: a target's form once its placeholders are resolved, that TLS files can be read, and
 * that the breaker's window can ever judge its rates.
 */
final class UpstreamReader {

    static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9._-]+):(\\d{1,5})");
    private static final Pattern TARGET_URI = Pattern.compile("[a-z][a-z0-9+.-]*://.*");

    private UpstreamReader() {}

    /** What a file says about its upstream: where it runs (and a preferred local copy) and how to protect it. */
    record UpstreamSpec(UpstreamTarget target, Optional<UpstreamTarget> local,
            TrafficPolicy.CircuitBreaker circuitBreaker, int maxConcurrentCalls, Node node) {}

    static Optional<UpstreamSpec> read(YamlMapping file) {
        YamlMapping upstream = file.mapping("upstream");
        int before = upstream.problems().count();
        Optional<UpstreamTarget> target;
        Optional<UpstreamTarget> local = Optional.empty();
        if (upstream.get("remote").isPresent()) {
            target = endpoint(upstream.mapping("remote"));
            if (upstream.get("local").isPresent()) {
                local = endpoint(upstream.mapping("local"));
            }
        } else {
            target = endpoint(upstream);
        }
        TrafficPolicy.CircuitBreaker breaker = upstream.optionalMapping("circuitBreaker")
                .flatMap(UpstreamReader::circuitBreaker).orElse(TrafficPolicy.CircuitBreaker.DEFAULT);
        int maxConcurrentCalls = upstream.integer("maxConcurrentCalls").map(Long::intValue)
                .orElse(TrafficPolicy.DEFAULT_MAX_CONCURRENT_CALLS);
        if (target.isEmpty() || upstream.problems().count() > before) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamSpec(target.get(), local, breaker, maxConcurrentCalls, upstream.node()));
    }

    // Reads target and tls of an upstream, or of its local or remote part.
    private static Optional<UpstreamTarget> endpoint(YamlMapping mapping) {
        Optional<String> target = mapping.requiredString("target").filter(value -> {
            if (TARGET_URI.matcher(value).matches()) {
                return true;
            }
            Matcher hostPort = HOST_PORT.matcher(value);
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

    private static Optional<UpstreamTarget.Tls> tls(YamlMapping upstream) {
        Optional<Node> node = upstream.get("tls");
        if (node.isEmpty()) {
            return Optional.of(UpstreamTarget.Tls.PLAINTEXT);
        }
        if (node.get() instanceof ScalarNode) {
            return upstream.bool(node.get(), upstream.field("tls"))
                    .map(enabled -> enabled ? UpstreamTarget.Tls.DEFAULT_TLS : UpstreamTarget.Tls.PLAINTEXT);
        }
        YamlMapping tls = upstream.mapping("tls");
        int before = tls.problems().count();
        boolean enabled = tls.bool("enabled").orElse(true);
        Optional<Path> ca = readableFile(tls, "ca");
        Optional<String> serverName = tls.optionalString("serverName");
        Optional<Path> certificate = readableFile(tls, "certificate");
        Optional<Path> privateKey = readableFile(tls, "privateKey");
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

    private static Optional<TrafficPolicy.CircuitBreaker> circuitBreaker(YamlMapping cb) {
        TrafficPolicy.CircuitBreaker d = TrafficPolicy.CircuitBreaker.DEFAULT;
        int before = cb.problems().count();
        boolean enabled = cb.bool("enabled").orElse(d.enabled());
        int failureRate = cb.integer("failureRateThreshold").map(Long::intValue).orElse(d.failureRateThreshold());
        Duration slowCall = cb.duration("slowCallDuration", MIN_TIMEOUT, MAX_TIMEOUT).orElse(d.slowCallDuration());
        int slowRate = cb.integer("slowCallRateThreshold").map(Long::intValue).orElse(d.slowCallRateThreshold());
        int window = cb.integer("slidingWindowSize").map(Long::intValue).orElse(d.slidingWindowSize());
        int minimum = cb.integer("minimumNumberOfCalls").map(Long::intValue)
                .orElse(Math.min(d.minimumNumberOfCalls(), window));
        Duration open = cb.duration("waitInOpenState", MIN_TIMEOUT, MAX_TIMEOUT).orElse(d.waitInOpenState());
        int halfOpen = cb.integer("permittedCallsInHalfOpenState").map(Long::intValue)
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
    }
}
