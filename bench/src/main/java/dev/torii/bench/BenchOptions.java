package dev.torii.bench;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param rounds how many times each target is measured, the targets taking turns in each round
 * @param httpThreads event-loop threads of the HTTP client
 * @param output where the JSON result goes
 * @param watched processes whose CPU time the report shows, by name
 * @param clockTicksPerSecond the kernel's USER_HZ, the unit of {@code /proc} CPU times
 * @param serverJvmFlags the JVM flags the processes under test were started with, for the report
 * @param nginx an nginx {@code grpc_pass} proxy in front of the offer service, loaded with the
 *     direct call as target nginx; empty to leave it out
 * @param haproxy an HAProxy HTTP/2 proxy in front of the offer service, loaded with the direct
 *     call as target haproxy; empty to leave it out
 * @param h2Connections HTTP/2 connections each HTTP/2 target spreads its calls over: direct, the
 *     peers and gateway-h2c alike
 * @param streaming the streaming targets' settings; empty to leave them out
 * @param gatewaySmall a gateway like {@code gateway} started with the production heap (such as
 *     {@code -Xmx256m}) and no call before the run: its cold start is measured first, then it is
 *     loaded as target gateway-small in the unary rounds; empty to leave it out
 * @param coldStart how long the cold start of gateway-small is followed
 * @param latencyRates the fixed rates, in calls per second, of the open-loop latency rounds; empty
 *     to leave them out
 * @param latencyWindow the recorded part of each open-loop latency round
 */
record BenchOptions(String directHost, int directPort, URI gateway, Optional<AuthenticatedGateway> gatewayAuth,
        Optional<URI> gatewayTraffic, Optional<String> createOfferCredential, int concurrency, Duration warmup,
        Duration maxWarmup, Duration window, int rounds, int httpThreads, Path output, Map<String, Long> watched,
        long clockTicksPerSecond, String serverJvmFlags, Optional<HostPort> nginx, Optional<HostPort> haproxy,
        int h2Connections, Optional<Streaming> streaming, Optional<URI> gatewaySmall, Duration coldStart,
        List<Integer> latencyRates, Duration latencyWindow) {

    /** Describes the arguments, printed when they do not parse. */
    static final String USAGE = String.join("\n",
            "usage: java -jar torii-bench-exec.jar --direct=HOST:PORT --gateway=http://HOST:PORT [options]",
            "  --direct=HOST:PORT     the offer service's gRPC port: target direct",
            "  --gateway=http://HOST:PORT  the plain gateway: targets gateway (protobuf), gateway-h2c, grpc,"
                    + " connect, json (JSON",
            "                         bodies, legacy dialect) and rest (GET /v1/offers/{id}); with --authority,"
                    + " stream-gateway and stream-grpc",
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
            "  --nginx=HOST:PORT      also load an nginx grpc_pass proxy of --direct with the direct call (target"
                    + " nginx)",
            "  --haproxy=HOST:PORT    also load an HAProxy h2 proxy of --direct with the direct call (target"
                    + " haproxy)",
            "  --h2-connections=N     HTTP/2 connections of direct, nginx, haproxy, grpc and gateway-h2c (default 8)",
            "  --authority=HOST:PORT  the Authority's gRPC port: with --stream-credential, also measure server"
                    + " streaming,",
            "                         straight (stream-direct), and through --gateway as Connect (stream-gateway)"
                    + " and as native gRPC (stream-grpc)",
            "  --stream-credential=C  exchanged at --authority for the offer service's private token, and sent"
                    + " to --gateway",
            "  --streams=N            WatchOffers streams open per streaming target (default 32)",
            "  --stream-creates=N     CreateOffer calls in flight feeding them (default 8)",
            "  --concurrency=N        calls in flight per target, and HTTP connections (default 64)",
            "  --warmup-seconds=S     least load before each measured window (default 10)",
            "  --max-warmup-seconds=S most load before each window: the warm-up goes on while the last three"
                    + " steps (of up to 5 s) beat the three before by over 5% (default 180)",
            "  --measure-seconds=S    length of each measured window (default 20)",
            "  --rounds=N             rounds of direct[, nginx][, haproxy], grpc, gateway, gateway-h2c, connect,"
                    + " json, rest",
            "                         [, gateway-auth][, gateway-traffic], each target in turn; then as many of"
                    + " the stream targets (default 2)",
            "  --http-threads=N       HTTP client event-loop threads (default: available processors)",
            "  --output=FILE          JSON result (default bench/target/bench-result.json)",
            "  --watch=NAME:PID       report the CPU use of a process; repeatable",
            "  --clock-ticks=N        USER_HZ of /proc times, from getconf CLK_TCK (default 100)",
            "  --server-jvm-flags=S   the flags the servers run with, recorded in the report",
            "  --gateway-small=http://HOST:PORT  a gateway like --gateway on the production heap, not called"
                    + " before the run:",
            "                         its cold start is followed first, then it joins the unary rounds as"
                    + " gateway-small",
            "  --cold-start-seconds=S how long the cold start is followed (default 60)",
            "  --latency-rates=R,R    fixed rates (calls/s) of the open-loop latency rounds on direct, the peers,"
                    + " grpc, gateway",
            "                         and gateway-h2c (default 100,1000; 0 leaves them out)",
            "  --latency-seconds=S    recorded seconds of each latency round, after 2 s at the same rate"
                    + " (default 10)");

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
        String nginx = null;
        String haproxy = null;
        int h2Connections = 8;
        String authority = null;
        String streamCredential = null;
        int streams = 32;
        int streamCreates = 8;
        String gatewaySmall = null;
        int coldStartSeconds = 60;
        List<Integer> latencyRates = List.of(100, 1000);
        int latencySeconds = 10;
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
                case "nginx" -> nginx = value;
                case "haproxy" -> haproxy = value;
                case "h2-connections" -> h2Connections = positive(name, value);
                case "authority" -> authority = value;
                case "stream-credential" -> streamCredential = credential(name, value);
                case "streams" -> streams = positive(name, value);
                case "stream-creates" -> streamCreates = positive(name, value);
                case "gateway-small" -> gatewaySmall = value;
                case "cold-start-seconds" -> coldStartSeconds = positive(name, value);
                case "latency-rates" -> latencyRates = rates(name, value);
                case "latency-seconds" -> latencySeconds = positive(name, value);
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
        if ((authority == null) != (streamCredential == null)) {
            throw new IllegalArgumentException("--authority and --stream-credential go together (got "
                    + (authority == null ? "only the credential" : "only --authority=" + authority) + ")");
        }
        Optional<Streaming> streaming = authority == null ? Optional.empty()
                : Optional.of(new Streaming(HostPort.parse("authority", authority), streamCredential, streams,
                        streamCreates));
        return new BenchOptions(direct.substring(0, colon), positive("direct", direct.substring(colon + 1)),
                httpUri("gateway", gateway), authenticated, traffic, Optional.ofNullable(createOfferCredential),
                concurrency, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(maxWarmupSeconds),
                Duration.ofSeconds(measureSeconds), rounds, httpThreads, output, Collections.unmodifiableMap(watched),
                clockTicks, serverJvmFlags,
                nginx == null ? Optional.empty() : Optional.of(HostPort.parse("nginx", nginx)),
                haproxy == null ? Optional.empty() : Optional.of(HostPort.parse("haproxy", haproxy)),
                h2Connections, streaming,
                gatewaySmall == null ? Optional.empty() : Optional.of(httpUri("gateway-small", gatewaySmall)),
                Duration.ofSeconds(coldStartSeconds), latencyRates, Duration.ofSeconds(latencySeconds));
    }

    // A comma-separated list of positive rates; "0" alone means none.
    private static List<Integer> rates(String name, String value) {
        if (value.trim().equals("0")) {
            return List.of();
        }
        List<Integer> rates = new ArrayList<>();
        for (String rate : value.split(",", -1)) {
            rates.add(positive(name, rate));
        }
        return List.copyOf(rates);
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

    /**
     * Names a TCP endpoint.
     *
     * @param host the host name or address
     * @param port the port
     */
    record HostPort(String host, int port) {

        static HostPort parse(String name, String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--" + name + ": '" + value + "' (expected: HOST:PORT)");
            }
            return new HostPort(value.substring(0, colon), positive(name, value.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * Holds the settings of the streaming targets.
     *
     * @param authority the Authority's gRPC port, where the private token for direct calls is exchanged
     * @param credential the subject credential: exchanged there, and sent to the gateway
     * @param streams WatchOffers streams open at once per target
     * @param creates CreateOffer calls in flight feeding them
     */
    record Streaming(HostPort authority, String credential, int streams, int creates) {

        @Override
        public String toString() {
            return "Streaming[authority=" + authority + ", credential=(" + credential.length() + " characters), streams="
                    + streams + ", creates=" + creates + "]";
        }
    }
}
