package dev.torii.gateway.routefile;

import dev.torii.gateway.route.AuthPolicy;
import dev.torii.gateway.route.CorsPolicy;
import dev.torii.gateway.route.RouteDurations;
import dev.torii.gateway.route.TrafficPolicy;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the policies a route file sets for its methods, at the top or on a method, once the schema
 * has accepted the file: who may call ({@code auth}), the rate limit, the retries and which web
 * pages on other origins may call ({@code cors}). Checks the
 * rules across fields that a schema cannot state: a bucket's burst holds at least one request's
 * cost, the longest backoff is no shorter than the first, and durations lie within their range.
 */
final class PolicyReader {

    private PolicyReader() {}

    /** Reads {@code auth}: {@code public}, or users and/or service accounts. */
    static Optional<AuthPolicy> auth(YamlMapping parent) {
        Node node = parent.get("auth").orElseThrow();
        if (node instanceof ScalarNode) {
            // The schema allows one single value: public.
            return Optional.of(AuthPolicy.PUBLIC);
        }
        YamlMapping auth = parent.mapping("auth");
        int before = auth.problems().count();
        Optional<AuthPolicy.UserRule> users = auth.optionalMapping("users").flatMap(rule -> rule.stringList("scopes"))
                .map(scopes -> new AuthPolicy.UserRule(new HashSet<>(scopes)));
        Optional<AuthPolicy.ServiceAccountRule> serviceAccounts = auth.optionalMapping("serviceAccounts")
                .flatMap(rule -> {
                    Optional<List<String>> emails = rule.stringList("emails");
                    Optional<List<String>> roles = rule.stringList("roles");
                    return emails.isPresent() && roles.isPresent()
                            ? Optional.of(new AuthPolicy.ServiceAccountRule(new HashSet<>(emails.get()),
                                    new HashSet<>(roles.get())))
                            : Optional.empty();
                });
        if (auth.problems().count() > before) {
            return Optional.empty();
        }
        return Optional.of(new AuthPolicy(false, users, serviceAccounts));
    }

    /**
     * Reads {@code rateLimit}: the file's or the method's; {@code none} on a method turns the
     * file's off.
     *
     * @return empty when not set; a present empty optional for none (or a broken limit, reported)
     */
    static Optional<Optional<TrafficPolicy.RateLimit>> rateLimit(YamlMapping parent) {
        Optional<Node> node = parent.get("rateLimit");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof ScalarNode) {
            // The schema allows one single value: none.
            return Optional.of(Optional.empty());
        }
        YamlMapping limit = parent.mapping("rateLimit");
        int before = limit.problems().count();
        Optional<TrafficPolicy.RateLimitKey> key = limit.requiredString("key").flatMap(text -> {
            // The schema knows the keys; a placeholder could still resolve to another.
            TrafficPolicy.RateLimitKey parsed = RateLimitKeys.parse(text);
            if (parsed == null) {
                limit.problems().add(limit.get("key").orElseThrow(), limit.field("key"), "'" + text
                        + "' (expected: principal, user, serviceAccount, clientIp, route or header:<Name>)");
            }
            return Optional.ofNullable(parsed);
        });
        Optional<Long> rate = limit.integer("rate");
        Duration period = limit.duration("period", Duration.ofMillis(1), Duration.ofDays(1))
                .orElse(Duration.ofSeconds(1));
        long cost = limit.integer("cost").orElse(1L);
        long burst = limit.integer("burst").orElse(rate.orElse(1L));
        if (burst < cost) {
            limit.problems().add(limit.node(), limit.field("burst"), "burst " + burst + " is less than cost "
                    + cost + " (expected: burst >= cost, or no request could ever pass)");
        }
        if (limit.problems().count() > before || key.isEmpty() || rate.isEmpty()) {
            return Optional.of(Optional.empty());
        }
        return Optional.of(Optional.of(new TrafficPolicy.RateLimit(key.get(), rate.get(), period, burst, cost)));
    }

    /** Reads {@code retry}; empty when not set, or broken (reported). */
    static Optional<TrafficPolicy.Retry> retry(YamlMapping parent) {
        return parent.optionalMapping("retry").flatMap(retry -> {
            int before = retry.problems().count();
            int attempts = retry.integer("attempts").map(Long::intValue).orElse(1);
            Duration backoff = retry.duration("backoff", Duration.ofMillis(1), Duration.ofSeconds(10))
                    .orElse(TrafficPolicy.Retry.NONE.backoff());
            Duration maxBackoff = retry.duration("maxBackoff", Duration.ofMillis(1), Duration.ofMinutes(1))
                    .orElse(backoff.multipliedBy(10));
            if (maxBackoff.compareTo(backoff) < 0) {
                retry.problems().add(retry.node(), retry.field("maxBackoff"), RouteDurations.format(maxBackoff)
                        + " is shorter than backoff " + RouteDurations.format(backoff)
                        + " (expected: maxBackoff >= backoff)");
            }
            return retry.problems().count() > before ? Optional.empty()
                    : Optional.of(new TrafficPolicy.Retry(attempts, backoff, maxBackoff));
        });
    }

    /**
     * Reads {@code cors}: which pages on other origins may call the file's methods.
     *
     * @return empty when not set, or broken (reported)
     */
    static Optional<CorsPolicy> cors(YamlMapping parent) {
        return parent.optionalMapping("cors").flatMap(cors -> {
            int before = cors.problems().count();
            Optional<List<String>> origins = cors.stringList("allowedOrigins");
            Optional<List<String>> methods = cors.get("allowedMethods").isPresent()
                    ? cors.stringList("allowedMethods") : Optional.of(CorsPolicy.DEFAULT_METHODS);
            Optional<List<String>> headers = cors.stringList("allowedHeaders");
            Optional<List<String>> exposed = cors.stringList("exposedHeaders");
            boolean credentials = cors.bool("allowCredentials").orElse(false);
            Duration maxAge = cors.duration("maxAge", Duration.ZERO, CorsPolicy.MAX_MAX_AGE)
                    .orElse(CorsPolicy.DEFAULT_MAX_AGE);
            if (cors.problems().count() > before || origins.isEmpty() || methods.isEmpty() || headers.isEmpty()
                    || exposed.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new CorsPolicy(origins.get(), methods.get(), headers.get(), exposed.get(),
                        credentials, maxAge));
            } catch (IllegalArgumentException e) {
                reportAt(cors, e.getMessage());
                return Optional.empty();
            }
        });
    }

    // CorsPolicy names the field first ("allowedOrigins[1]: ..."): the problem goes to its line.
    private static void reportAt(YamlMapping cors, String message) {
        int colon = message.indexOf(':');
        String field = colon > 0 ? message.substring(0, colon) : "";
        String detail = colon > 0 ? message.substring(colon + 1).trim() : message;
        int bracket = field.indexOf('[');
        String key = bracket > 0 ? field.substring(0, bracket) : field;
        Node node = cors.get(key).orElse(cors.node());
        if (bracket > 0 && node instanceof SequenceNode sequence) {
            int index = Integer.parseInt(field.substring(bracket + 1, field.length() - 1));
            node = sequence.getValue().get(index);
        }
        cors.problems().add(node, cors.field(field), detail);
    }
}
