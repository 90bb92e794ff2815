package dev.torii.gateway.routefile;

import com.google.api.HttpRule;
import dev.torii.gateway.httprule.HttpBinding;
import dev.torii.gateway.httprule.HttpBindings;
import dev.torii.gateway.httprule.JsonPrintOptions;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.torii.gateway.grpc.ByteArrayMarshaller;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.route.AuthPolicy;
import dev.torii.gateway.route.CorsPolicy;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteSource;
import dev.torii.gateway.route.ServiceRoutes;
import dev.torii.gateway.route.TrafficPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Builds the routes of one route file that the schema has accepted, against the descriptor sets:
 * the service and every method must exist and be unary, no method may be listed twice, and every
 * method needs an auth policy (from the file or its own) whose rate-limit key it can have. These
 * are the rules a JSON Schema cannot state; the file's shape is the schema's.
 */
final class ServiceRoutesReader {

    /** The timeout of a method when neither the method nor the file sets one. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final DescriptorRegistry descriptors;

    ServiceRoutesReader(DescriptorRegistry descriptors) {
        this.descriptors = descriptors;
    }

    // The file-wide settings a method inherits. auth is null when the file sets none, and empty
    // when the file sets a broken one (already reported).
    private record Defaults(Duration timeout, Optional<AuthPolicy> auth, String audience,
            Optional<TrafficPolicy.RateLimit> rateLimit, TrafficPolicy.Retry retry, boolean idempotent,
            Optional<CorsPolicy> cors, JsonPrintOptions jsonPrint) {}

    /**
     * Builds a file's routes.
     *
     * @param yaml the file's top-level mapping
     * @return the routes, or empty when a problem was found (and added)
     */
    Optional<ServiceRoutes> read(YamlMapping yaml) {
        YamlMapping.Problems problems = yaml.problems();
        int before = problems.count();
        Optional<ServiceDescriptor> service = yaml.requiredString("service").flatMap(name -> {
            Optional<ServiceDescriptor> found = descriptors.findService(name);
            if (found.isEmpty()) {
                problems.add(yaml.get("service").orElseThrow(), "service", "unknown service '" + name
                        + "' (expected: a service in the descriptor sets " + descriptors.sources()
                        + ", such as " + abbreviate(descriptors.serviceNames()) + ")");
            }
            return found;
        });
        Optional<UpstreamReader.UpstreamSpec> upstream = UpstreamReader.read(yaml);
        Duration timeout = yaml.duration("timeout", UpstreamReader.MIN_TIMEOUT, UpstreamReader.MAX_TIMEOUT)
                .orElse(DEFAULT_TIMEOUT);
        Optional<String> audience = yaml.optionalString("audience");
        Optional<AuthPolicy> auth = yaml.get("auth").isPresent() ? PolicyReader.auth(yaml) : null;
        Optional<TrafficPolicy.RateLimit> rateLimit = PolicyReader.rateLimit(yaml).orElse(Optional.empty());
        TrafficPolicy.Retry retry = PolicyReader.retry(yaml).orElse(TrafficPolicy.Retry.NONE);
        boolean idempotent = yaml.bool("idempotent").orElse(false);
        Optional<CorsPolicy> cors = PolicyReader.cors(yaml);
        Defaults defaults = new Defaults(timeout, auth,
                audience.orElse(service.map(ServiceDescriptor::getFullName).orElse("")), rateLimit, retry, idempotent,
                cors, jsonPrint(yaml, JsonPrintOptions.DEFAULT));
        List<MethodRoute> methods = methods(yaml, service, upstream, defaults);
        if (service.isEmpty() || upstream.isEmpty() || problems.count() > before) {
            return Optional.empty();
        }
        return Optional.of(new ServiceRoutes(problems.file(), service.get().getFullName(), upstream.get().target(),
                timeout, methods));
    }

    private List<MethodRoute> methods(YamlMapping yaml, Optional<ServiceDescriptor> service,
            Optional<UpstreamReader.UpstreamSpec> upstream, Defaults defaults) {
        List<Node> entries = ((SequenceNode) yaml.get("methods").orElseThrow()).getValue();
        List<MethodRoute> methods = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Node entry = entries.get(i);
            String field = "methods[" + i + "]";
            Optional<String> name;
            Optional<Duration> timeout = Optional.empty();
            Optional<AuthPolicy> auth = defaults.auth();
            Optional<TrafficPolicy.RateLimit> rateLimit = defaults.rateLimit();
            TrafficPolicy.Retry retry = defaults.retry();
            boolean idempotent = defaults.idempotent();
            JsonPrintOptions jsonPrint = defaults.jsonPrint();
            Optional<YamlMapping> declared = Optional.empty();
            boolean noHttp = false;
            if (entry instanceof ScalarNode) {
                name = yaml.string(entry, field);
            } else {
                YamlMapping method = new YamlMapping(entry, field, yaml.problems(), yaml.placeholders());
                name = method.requiredString("name");
                timeout = method.duration("timeout", UpstreamReader.MIN_TIMEOUT, UpstreamReader.MAX_TIMEOUT);
                if (method.get("auth").isPresent()) {
                    auth = PolicyReader.auth(method);
                }
                rateLimit = PolicyReader.rateLimit(method).orElse(rateLimit);
                retry = PolicyReader.retry(method).orElse(retry);
                idempotent = method.bool("idempotent").orElse(idempotent);
                jsonPrint = jsonPrint(method, jsonPrint);
                Optional<Node> http = method.get("http");
                noHttp = http.isPresent() && http.get() instanceof ScalarNode;
                declared = http.isPresent() && !noHttp ? Optional.of(method.mapping("http")) : Optional.empty();
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
            Optional<MethodDescriptor> method = exposableMethod(yaml, entry, field, service.get(), name.get());
            if (method.isEmpty() || upstream.isEmpty() || auth.isEmpty()) {
                continue;
            }
            if (rateLimit.isPresent() && auth.get().isPublic() && needsPrincipal(rateLimit.get().key())) {
                yaml.problems().add(entry, field, "rate limit key " + rateLimit.get().key().describe()
                        + " on a public route (expected: clientIp, route or header:<Name>; a public route has no caller"
                        + " identity)");
                continue;
            }
            Optional<List<HttpBinding>> bindings = noHttp ? Optional.of(List.of())
                    : httpBindings(yaml, entry, field, method.get(), declared);
            if (bindings.isEmpty()) {
                continue;
            }
            String fullName = io.grpc.MethodDescriptor.generateFullMethodName(service.get().getFullName(),
                    method.get().getName());
            UpstreamReader.UpstreamSpec spec = upstream.get();
            TrafficPolicy traffic = new TrafficPolicy(rateLimit, retry, idempotent, spec.circuitBreaker(),
                    spec.maxConcurrentCalls());
            methods.add(new MethodRoute("/" + fullName, method.get(), ByteArrayMarshaller.method(fullName,
                    method.get().isServerStreaming() ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
                            : io.grpc.MethodDescriptor.MethodType.UNARY),
                    spec.target(), spec.local(), timeout.orElse(defaults.timeout()), auth.get(), defaults.audience(),
                    traffic, defaults.cors(), new RouteSource(yaml.problems().file(), YamlMapping.line(entry)),
                    bindings.get(), jsonPrint));
        }
        return methods;
    }

    // The method's REST bindings: those its entry declares (http: a rule), or else its proto's
    // google.api.http option, each checked against the method's messages.
    private static Optional<List<HttpBinding>> httpBindings(YamlMapping yaml, Node entry, String field,
            MethodDescriptor method, Optional<YamlMapping> declared) {
        if (declared.isPresent()) {
            Optional<HttpRule> rule = HttpRuleReader.read(declared.get());
            if (rule.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(HttpBindings.of(rule.get(), method));
            } catch (IllegalArgumentException e) {
                yaml.problems().add(declared.get().node(), field + ".http", e.getMessage());
                return Optional.empty();
            }
        }
        try {
            return Optional.of(HttpBindings.of(method));
        } catch (IllegalArgumentException e) {
            yaml.problems().add(entry, field, "the google.api.http option of " + method.getFullName() + ": "
                    + e.getMessage() + " (expected: a valid rule, or http: on the method to replace it, or http: none)");
            return Optional.empty();
        }
    }

    private static JsonPrintOptions jsonPrint(YamlMapping yaml, JsonPrintOptions inherited) {
        return yaml.optionalMapping("jsonPrint").map(print -> new JsonPrintOptions(
                        print.bool("protoFieldNames").orElse(inherited.protoFieldNames()),
                        print.bool("emitDefaults").orElse(inherited.emitDefaults()),
                        print.bool("enumsAsInts").orElse(inherited.enumsAsInts())))
                .orElse(inherited);
    }

    private static Optional<MethodDescriptor> exposableMethod(YamlMapping yaml, Node entry, String field,
            ServiceDescriptor service, String name) {
        MethodDescriptor method = service.findMethodByName(name);
        if (method == null) {
            yaml.problems().add(entry, field, "unknown method '" + name + "' in " + service.getFullName()
                    + " (expected one of: " + service.getMethods().stream().map(MethodDescriptor::getName)
                            .collect(Collectors.joining(", ")) + ")");
            return Optional.empty();
        }
        if (method.isClientStreaming()) {
            yaml.problems().add(entry, field, "'" + name + "' is a "
                    + (method.isServerStreaming() ? "bidirectional" : "client") + "-streaming method"
                    + " (expected: a unary or server-streaming method; clients of the edge send one request message)");
            return Optional.empty();
        }
        return Optional.of(method);
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
