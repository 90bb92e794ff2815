package dev.torii.gateway.config;

import dev.torii.gateway.auth.AuthorityProperties;
import dev.torii.gateway.route.CorsPolicy;
import dev.torii.gateway.traffic.RateLimitHeaders;
import dev.torii.gateway.traffic.RedisProperties;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Configures the gateway, the one properties root {@code torii.gateway}: where routes and service
 * descriptors come from, how large a request may be, which client headers reach the backends,
 * the Authority, and traffic control around the routes (where rate-limit buckets live, whose
 * {@code X-Forwarded-For} is trusted, how much retrying is allowed, how much an unreachable
 * upstream's error may reveal). The per-route settings live in the route files.
 *
 * @param routesDir folder of route files ({@code *.yaml}, {@code *.yml}), one per backend service
 * @param descriptorSets locations of protobuf descriptor sets ({@code FileDescriptorSet}, built
 *     with {@code protoc --include_imports --descriptor_set_out}); Spring resource patterns such
 *     as {@code classpath*:} and {@code file:} are accepted. Every service a route names must be
 *     in one of them.
 * @param maxRequestSize largest request body accepted; larger bodies are refused with 413
 * @param maxResponseSize largest upstream response message accepted
 * @param forwardedHeaders client request headers forwarded to backends as gRPC metadata (lower
 *     case); {@code x-request-id} and {@code x-forwarded-for} are always sent
 * @param channelShutdownGrace how long upstream channels may drain in-flight calls on shutdown
 * @param authority where the Authority is and how private tokens are cached
 * @param additionalEdgeHeaders more request headers to strip before anything reads the request,
 *     besides the built-in list (every {@code x-torii-*} and the usual forwarded-identity headers)
 * @param reload whether and how often the routes folder is reloaded while the gateway runs
 * @param status how the status page on the management port checks upstream health
 * @param redis where rate-limit buckets are shared between gateway instances
 * @param clientIp how the client's address is worked out for {@code clientIp} rate limits
 * @param retryBudget how many retries each upstream may take
 * @param developerErrors whether an unreachable upstream's error names the address, whether
 *     anything listens there and the route file, with an HTML page for browsers; for local
 *     development only, since it reveals internal addresses
 * @param localUpstreamCheckInterval how often local upstream targets are health-checked
 * @param maxLocalBuckets the most rate-limit buckets kept in process
 * @param rateLimitHeaders which rate-limit headers limited routes answer with: {@code draft} (the
 *     default) for draft-ietf-httpapi-ratelimit-headers' {@code RateLimit-Policy} and
 *     {@code RateLimit} fields, {@code legacy} for the draft -06 trio {@code RateLimit-Limit},
 *     {@code RateLimit-Remaining} and {@code RateLimit-Reset} that older clients read, or
 *     {@code both}
 * @param streams limits and encoding of server-streaming answers
 * @param cors which web pages on other origins may call, for route files that say nothing
 *     themselves
 * @param reflection whether the gateway answers gRPC server reflection for the routed services
 * @param warmup whether and how long the gateway exercises its request path before it reports
 *     ready
 * @param eventLoopThreads the event-loop threads the public server, the upstream channels and
 *     Redis share; 0 (the default) means one per available processor, as Envoy's and HAProxy's
 *     worker threads. Reactor Netty's own default, at least 4, puts more threads than cores on a
 *     small pod, and each request then more often waits for the thread of its upstream's
 *     connection to be woken
 */
@Validated
@ConfigurationProperties("torii.gateway")
public record GatewayProperties(
        @NotNull @DefaultValue("routes") Path routesDir,
        @NotEmpty @DefaultValue("classpath*:META-INF/torii/descriptors/*.binpb") List<String> descriptorSets,
        @NotNull @DefaultValue("4MB") DataSize maxRequestSize,
        @NotNull @DefaultValue("4MB") DataSize maxResponseSize,
        @NotNull @DefaultValue({"accept-language", "x-app-version", "x-app-platform"})
                List<String> forwardedHeaders,
        @NotNull @DefaultValue("10s") Duration channelShutdownGrace,
        @NotNull @DefaultValue @NestedConfigurationProperty AuthorityProperties authority,
        @NotNull @DefaultValue List<String> additionalEdgeHeaders,
        @NotNull @DefaultValue Reload reload,
        @NotNull @DefaultValue Status status,
        @NotNull @DefaultValue @NestedConfigurationProperty RedisProperties redis,
        @NotNull @DefaultValue ClientIp clientIp,
        @NotNull @DefaultValue RetryBudget retryBudget,
        @DefaultValue("false") boolean developerErrors,
        @NotNull @DefaultValue("2s") Duration localUpstreamCheckInterval,
        @DefaultValue("100000") long maxLocalBuckets,
        @NotNull @DefaultValue("draft") RateLimitHeaders rateLimitHeaders,
        @NotNull @DefaultValue Streams streams,
        @NotNull @DefaultValue Cors cors,
        @NotNull @DefaultValue Reflection reflection,
        @NotNull @DefaultValue Warmup warmup,
        @DefaultValue("0") int eventLoopThreads) {

    /**
     * Returns how many event-loop threads the gateway runs.
     *
     * @return {@link #eventLoopThreads()}, or the available processors when that is 0
     */
    public int eventLoops() {
        return eventLoopThreads == 0 ? Runtime.getRuntime().availableProcessors() : eventLoopThreads;
    }

    /**
     * Configures the warm-up: before readiness reports UP, the gateway sends synthetic calls in
     * every protocol it serves (legacy protobuf and JSON, Connect, REST, gRPC, gRPC-Web, a server
     * stream) through its own public port to a built-in gRPC backend on the loopback address, so
     * the JIT compiles the request path before clients' traffic arrives. A freshly started gateway
     * otherwise needs 30 to 40 seconds under load to reach 90 % of its throughput. Warm-up calls
     * leave no meters, no access-log lines (one summary line instead) and no sampled spans, and
     * only they reach the built-in backend's route. A warm-up that fails logs a warning and the
     * gateway becomes ready all the same.
     *
     * @param enabled whether to warm up; off, readiness reports UP as soon as routes are loaded
     * @param calls how many calls to send at least; once they are answered the warm-up goes on
     *     until the JIT compilers have been nearly idle for a second (they share the cores with
     *     the calls and lag behind them on a busy machine), and it always ends when
     *     {@code maxDuration} has passed
     * @param maxDuration the longest the warm-up may keep the gateway unready
     * @param concurrency how many calls are in flight at once
     */
    public record Warmup(@DefaultValue("true") boolean enabled, @DefaultValue("20000") int calls,
            @DefaultValue("30s") Duration maxDuration, @DefaultValue("8") int concurrency) {

        /**
         * Checks the values.
         */
        public Warmup {
            if (calls < 1) {
                throw new IllegalArgumentException("torii.gateway.warmup.calls: " + calls + " (expected: >= 1)");
            }
            if (maxDuration == null || maxDuration.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("torii.gateway.warmup.max-duration: " + maxDuration
                        + " (expected: >= 100ms)");
            }
            if (concurrency < 1 || concurrency > 256) {
                throw new IllegalArgumentException("torii.gateway.warmup.concurrency: " + concurrency
                        + " (expected: 1 to 256)");
            }
        }
    }

    /**
     * Configures gRPC server reflection ({@code grpc.reflection.v1} and {@code v1alpha}), which
     * grpcurl and Postman use to list services and read their schemas without the
     * {@code .proto} files.
     *
     * @param enabled whether the gateway answers reflection over native gRPC, for exactly the
     *     services the routes in force expose (their descriptors from the descriptor sets), with
     *     no credential; off by default, since it shows every routed method's schema to anyone
     *     who can reach the port. When off, reflection is answered UNIMPLEMENTED.
     */
    public record Reflection(@DefaultValue("false") boolean enabled) {}

    /**
     * Configures route hot reload.
     *
     * @param enabled whether the gateway watches the routes folder and puts a changed, valid set
     *     in force without a restart
     * @param pollInterval how often the folder is read again besides file-system events, which
     *     some file systems do not deliver (and a Kubernetes ConfigMap update only touches a
     *     symbolic link); at least 100ms
     */
    public record Reload(@DefaultValue("true") boolean enabled, @DefaultValue("5s") Duration pollInterval) {

        /**
         * Checks the values.
         */
        public Reload {
            if (pollInterval == null || pollInterval.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("torii.gateway.reload.poll-interval: " + pollInterval
                        + " (expected: >= 100ms)");
            }
        }
    }

    /**
     * Configures the status page's upstream health checks (the standard gRPC health service, in
     * the background; a page view never waits for one).
     *
     * @param healthInterval how often each upstream is asked; at least 100ms
     * @param healthTimeout the longest one check may take; more than 0 and at most the interval
     */
    public record Status(@DefaultValue("5s") Duration healthInterval, @DefaultValue("1s") Duration healthTimeout) {

        /**
         * Checks the values.
         */
        public Status {
            if (healthInterval == null || healthInterval.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("torii.gateway.status.health-interval: " + healthInterval
                        + " (expected: >= 100ms)");
            }
            if (healthTimeout == null || healthTimeout.isNegative() || healthTimeout.isZero()
                    || healthTimeout.compareTo(healthInterval) > 0) {
                throw new IllegalArgumentException("torii.gateway.status.health-timeout: " + healthTimeout
                        + " (expected: > 0 and <= torii.gateway.status.health-interval, " + healthInterval + ")");
            }
        }
    }

    /**
     * How the gateway carries server-streaming answers.
     *
     * @param idleTimeout how long a stream may go without a message before the gateway ends it
     *     with DEADLINE_EXCEEDED (and cancels the upstream call), on top of the route's deadline;
     *     Envoy's {@code stream_idle_timeout} defaults to the same 5 minutes
     * @param compressMinSize streamed messages at least this large are gzip-compressed for clients
     *     that accept it (Connect's {@code Connect-Accept-Encoding}); smaller ones cost more CPU to
     *     compress than they save
     */
    public record Streams(@DefaultValue("5m") Duration idleTimeout, @DefaultValue("1KB") DataSize compressMinSize) {

        /**
         * Validates the values.
         */
        public Streams {
            if (idleTimeout.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException(
                        "torii.gateway.streams.idle-timeout: " + idleTimeout + " (expected: >= 100ms)");
            }
            if (compressMinSize.toBytes() < 0 || compressMinSize.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "torii.gateway.streams.compress-min-size: " + compressMinSize + " (expected: >= 0 and < 2GB)");
            }
        }
    }

    /**
     * The gateway-wide CORS policy, for route files without a {@code cors} section. The headers
     * Connect and gRPC-Web need, and the gateway's forwarded headers, are allowed and exposed on
     * top of these lists (see {@link CorsPolicy}).
     *
     * @param allowedOrigins origins that may call: exact, {@code https://*.example.com},
     *     {@code http://localhost:*} or {@code *}; none by default, so CORS is off
     * @param allowedMethods HTTP methods a preflight may ask for
     * @param allowedHeaders request headers a page may send besides the built-in ones
     * @param exposedHeaders response headers a page may read besides the built-in ones
     * @param allowCredentials whether cookies and client certificates may be sent
     * @param maxAge how long a browser may reuse a preflight's answer
     */
    public record Cors(@DefaultValue List<String> allowedOrigins, @DefaultValue({"GET", "POST", "PUT", "PATCH", "DELETE"}) List<String> allowedMethods,
            @DefaultValue List<String> allowedHeaders, @DefaultValue List<String> exposedHeaders,
            @DefaultValue("false") boolean allowCredentials, @DefaultValue("30m") Duration maxAge) {

        /**
         * Returns the policy these settings describe.
         *
         * @return the policy
         * @throws IllegalArgumentException naming the setting that is wrong
         */
        public CorsPolicy policy() {
            try {
                return new CorsPolicy(allowedOrigins, allowedMethods, allowedHeaders, exposedHeaders,
                        allowCredentials, maxAge);
            } catch (IllegalArgumentException e) {
                // CorsPolicy names route-file fields (allowedOrigins[0]); these are properties.
                String message = e.getMessage();
                int colon = message.indexOf(':');
                String field = message.substring(0, colon).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
                throw new IllegalArgumentException("torii.gateway.cors." + field + message.substring(colon));
            }
        }
    }

    /**
     * Configures which proxies' {@code X-Forwarded-For} entries are believed.
     *
     * @param trustedProxies IP addresses or CIDR blocks of the load balancers and proxies in
     *     front of the gateway; none by default, so the connection's peer is the client
     */
    public record ClientIp(@DefaultValue List<String> trustedProxies) {}

    /**
     * Configures the retry budget of each upstream.
     *
     * @param ratio retries allowed per request (0.2: at most one retry per five requests)
     * @param minPerSecond retries always allowed per second, however little traffic there is
     */
    public record RetryBudget(@DefaultValue("0.2") double ratio, @DefaultValue("10") double minPerSecond) {

        /**
         * Checks the values.
         */
        public RetryBudget {
            if (ratio < 0 || ratio > 1) {
                throw new IllegalArgumentException("torii.gateway.retry-budget.ratio: " + ratio + " (expected: 0 to 1)");
            }
            if (minPerSecond < 0) {
                throw new IllegalArgumentException("torii.gateway.retry-budget.min-per-second: " + minPerSecond
                        + " (expected: >= 0)");
            }
        }
    }

    /**
     * Headers a client can never forward: HTTP/2 connection headers, gRPC's own headers,
     * credentials, and the ones the gateway writes itself.
     */
    static final Set<String> RESERVED_HEADERS = Set.of(
            "authorization", "connection", "content-length", "content-type", "cookie", "host",
            "keep-alive", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
            "user-agent", "x-forwarded-for", "x-request-id",
            // Trace context: the gateway continues the client's trace and writes its own span's.
            "traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled",
            "x-b3-flags");

    /**
     * Validates values that annotations cannot express.
     */
    public GatewayProperties {
        if (eventLoopThreads < 0) {
            throw new IllegalArgumentException("torii.gateway.event-loop-threads: " + eventLoopThreads
                    + " (expected: >= 0; 0 means one per available processor)");
        }
        if (maxRequestSize.toBytes() <= 0 || maxRequestSize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "torii.gateway.max-request-size: " + maxRequestSize + " (expected: > 0 and < 2GB)");
        }
        if (maxResponseSize.toBytes() <= 0 || maxResponseSize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "torii.gateway.max-response-size: " + maxResponseSize + " (expected: > 0 and < 2GB)");
        }
        if (channelShutdownGrace.isNegative()) {
            throw new IllegalArgumentException(
                    "torii.gateway.channel-shutdown-grace: " + channelShutdownGrace + " (expected: >= 0)");
        }
        forwardedHeaders = forwardedHeaders.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        for (String header : forwardedHeaders) {
            if (header.isEmpty() || !header.matches("[a-z0-9-_.]+") || header.startsWith("grpc-")
                    || header.startsWith(":") || header.endsWith("-bin") || header.startsWith("x-torii-")
                    || RESERVED_HEADERS.contains(header)) {
                throw new IllegalArgumentException("torii.gateway.forwarded-headers: '" + header
                        + "' (expected: a plain header name that is not reserved: not grpc-*, x-torii-*, *-bin,"
                        + " or one of " + RESERVED_HEADERS.stream().sorted().toList() + ")");
            }
        }
        if (localUpstreamCheckInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("torii.gateway.local-upstream-check-interval: " + localUpstreamCheckInterval
                    + " (expected: at least 100ms)");
        }
        cors.policy();
        if (maxLocalBuckets < 1) {
            throw new IllegalArgumentException("torii.gateway.max-local-buckets: " + maxLocalBuckets + " (expected: >= 1)");
        }
    }
}
