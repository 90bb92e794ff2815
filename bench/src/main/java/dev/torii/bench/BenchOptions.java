package dev.torii.bench;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Holds the driver's settings, read from {@code --name=value} arguments.
 *
 * @param directHost host of the offer service's gRPC port
 * @param directPort the offer service's gRPC port
 * @param gateway the gateway's base URI, {@code http://host:port}
 * @param gatewayAuth a gateway whose GetOffer route requires a user, measured as a third target
 *     with a credential; empty to leave it out
 * @param gatewayTraffic a gateway whose GetOffer route is {@code gateway}'s with a Redis-backed
 *     rate limit and the upstream's circuit breaker on, measured as another target; empty to
 *     leave it out
 * @param createOfferCredential when present, the offer every call reads is created through
 *     {@code gateway}'s CreateOffer with this credential, for a backend that requires private
 *     tokens on CreateOffer; when empty, it is created over direct gRPC without a token
 * @param concurrency calls kept in flight against each target (and HTTP connections to the gateway)
 * @param warmup the shortest load before each measured window
 * @param maxWarmup the longest load before each measured window, while throughput still climbs
 * @param window length of each measured window
 * @param rounds how many times each target is measured, alternating direct, gateway, gateway-auth and
 *     gateway-traffic
 * @param httpThreads event-loop threads of the HTTP client
 * @param output where the JSON result goes
 * @param watched processes whose CPU time the report shows, by name
 * @param clockTicksPerSecond the kernel's USER_HZ, the unit of {@code /proc} CPU times
 * @param serverJvmFlags the JVM flags the processes under test were started with, for the report
 */
record BenchOptions(String directHost, int directPort, URI gateway, Optional<AuthenticatedGateway> gatewayAuth,
        Optional<URI> gatewayTraffic, Optional<String> createOfferCredential, int concurrency, Duration warmup,
        Duration maxWarmup, Duration window, int rounds, int httpThreads, Path output, Map<String, Long> watched,
        long clockTicksPerSecond, String serverJvmFlags) {

    /** Describes the arguments, printed when they do not parse. */
    static final String USAGE = String.join("\n",
            "usage: java -jar torii-bench-exec.jar --direct=HOST:PORT --gateway=http://HOST:PORT [options]",
            "  --gateway-auth=http://HOST:PORT  also measure a gateway whose GetOffer route requires a user",
            "                         (bench/routes), as target gateway-auth; needs --gateway-auth-credential",
            "  --gateway-auth-credential=C  sent to gateway-auth as Authorization: Bearer C, such as"
                    + " dummy:bench-user for authorizer-dummy",
            "  --gateway-traffic=http://HOST:PORT  also measure a gateway whose GetOffer route is --gateway's"
                    + " with a rate limit in",
            "                         Redis and the circuit breaker on (bench/routes-traffic), as target"
                    + " gateway-traffic",
            "  --create-offer-credential=C  create the offer through --gateway's CreateOffer with"
                    + " Authorization: Bearer C",
            "                         (needed when the backend requires private tokens; default: over --direct)",
            "  --concurrency=N        calls in flight per target, and HTTP connections (default 64)",
            "  --warmup-seconds=S     least load before each measured window (default 10)",
            "  --max-warmup-seconds=S most load before each window: the warm-up goes on while the last three"
                    + " steps (of up to 5 s) beat the three before by over 5% (default 180)",
            "  --measure-seconds=S    length of each measured window (default 20)",
            "  --rounds=N             direct, gateway[, gateway-auth][, gateway-traffic], direct... N times each"
                    + " (default 2)",
            "  --http-threads=N       HTTP client event-loop threads (default: available processors)",
            "  --output=FILE          JSON result (default bench/target/bench-result.json)",
            "  --watch=NAME:PID       report the CPU use of a process; repeatable",
            "  --clock-ticks=N        USER_HZ of /proc times, from getconf CLK_TCK (default 100)",
            "  --server-jvm-flags=S   the flags the servers run with, recorded in the report");

    /**
     * Parses arguments.
     *
     * @param args {@code --name=value} pairs
     * @return the settings
     * @throws IllegalArgumentException naming the argument that is missing, unknown or malformed
     */
    static BenchOptions parse(String... args) {
        String direct = null;
        String gateway = null;
        String gatewayAuth = null;
        String gatewayAuthCredential = null;
        String gatewayTraffic = null;
        String createOfferCredential = null;
        int concurrency = 64;
        int warmupSeconds = 10;
        int maxWarmupSeconds = 180;
        int measureSeconds = 20;
        int rounds = 2;
        int httpThreads = Runtime.getRuntime().availableProcessors();
        Path output = Path.of("bench/target/bench-result.json");
        Map<String, Long> watched = new LinkedHashMap<>();
        long clockTicks = 100;
        String serverJvmFlags = "";
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("argument '" + arg + "' (expected: --name=value)");
            }
            String name = arg.substring(2, eq);
            String value = arg.substring(eq + 1);
            switch (name) {
                case "direct" -> direct = value;
                case "gateway" -> gateway = value;
                case "gateway-auth" -> gatewayAuth = value;
                case "gateway-auth-credential" -> gatewayAuthCredential = credential(name, value);
                case "gateway-traffic" -> gatewayTraffic = value;
                case "create-offer-credential" -> createOfferCredential = credential(name, value);
                case "concurrency" -> concurrency = positive(name, value);
                case "warmup-seconds" -> warmupSeconds = atLeast(name, value, 0);
                case "max-warmup-seconds" -> maxWarmupSeconds = atLeast(name, value, 0);
                case "measure-seconds" -> measureSeconds = positive(name, value);
                case "rounds" -> rounds = positive(name, value);
                case "http-threads" -> httpThreads = positive(name, value);
                case "output" -> output = Path.of(value);
                case "watch" -> {
                    int colon = value.lastIndexOf(':');
                    if (colon <= 0) {
                        throw new IllegalArgumentException("--watch: '" + value + "' (expected: NAME:PID)");
                    }
                    watched.put(value.substring(0, colon), (long) positive(name, value.substring(colon + 1)));
                }
                case "clock-ticks" -> clockTicks = positive(name, value);
                case "server-jvm-flags" -> serverJvmFlags = value;
                default -> throw new IllegalArgumentException("unknown option --" + name
                        + " (expected: one of those in the usage below)");
            }
        }
        if (direct == null || gateway == null) {
            throw new IllegalArgumentException("--direct and --gateway are required (got direct=" + direct
                    + ", gateway=" + gateway + ")");
        }
        int colon = direct.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--direct: '" + direct + "' (expected: HOST:PORT)");
        }
        if (maxWarmupSeconds < warmupSeconds) {
            throw new IllegalArgumentException("--max-warmup-seconds: " + maxWarmupSeconds
                    + " (expected: at least --warmup-seconds, " + warmupSeconds + ")");
        }
        if ((gatewayAuth == null) != (gatewayAuthCredential == null)) {
            throw new IllegalArgumentException("--gateway-auth and --gateway-auth-credential go together (got "
                    + (gatewayAuth == null ? "only the credential" : "only --gateway-auth=" + gatewayAuth) + ")");
        }
        Optional<AuthenticatedGateway> authenticated = gatewayAuth == null ? Optional.empty()
                : Optional.of(new AuthenticatedGateway(httpUri("gateway-auth", gatewayAuth), gatewayAuthCredential));
        Optional<URI> traffic = gatewayTraffic == null ? Optional.empty()
                : Optional.of(httpUri("gateway-traffic", gatewayTraffic));
        return new BenchOptions(direct.substring(0, colon), positive("direct", direct.substring(colon + 1)),
                httpUri("gateway", gateway), authenticated, traffic, Optional.ofNullable(createOfferCredential),
                concurrency, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(maxWarmupSeconds),
                Duration.ofSeconds(measureSeconds), rounds, httpThreads, output, Collections.unmodifiableMap(watched),
                clockTicks, serverJvmFlags);
    }

    private static URI httpUri(String name, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("--" + name + ": '" + value + "' (expected: http://HOST:PORT)");
        }
        return uri;
    }

    // The credential itself stays out of the message: even a made-up one should not land in logs.
    private static String credential(String name, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("--" + name + ": empty (expected: a credential such as"
                    + " dummy:bench-user)");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("--" + name + ": character " + (i + 1) + " of " + value.length()
                        + " is " + (c == ' ' ? "a space" : String.format(Locale.ROOT, "U+%04X", (int) c))
                        + " (expected: printable ASCII without spaces, sent as Authorization: Bearer <credential>)");
            }
        }
        return value;
    }

    private static int positive(String name, String value) {
        return atLeast(name, value, 1);
    }

    private static int atLeast(String name, String value, int min) {
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below with the expectation.
        }
        throw new IllegalArgumentException("--" + name + ": '" + value + "' (expected: an integer >= " + min + ")");
    }

    /**
     * Names a gateway measured with a credential.
     *
     * @param uri the gateway's base URI, {@code http://host:port}
     * @param credential sent as {@code Authorization: Bearer <credential>}
     */
    record AuthenticatedGateway(URI uri, String credential) {

        // A record prints its components; a credential must not end up in a log with it.
        @Override
        public String toString() {
            return "AuthenticatedGateway[uri=" + uri + ", credential=(" + credential.length() + " characters)]";
        }
    }
}
