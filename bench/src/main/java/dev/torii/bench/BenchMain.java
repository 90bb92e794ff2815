package dev.torii.bench;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Measures {@code GetOffer} throughput and latency straight to the offer service over gRPC,
 * through the gateway as protobuf, JSON and REST over HTTP, and optionally through a gateway
 * whose route requires a user (with a credential whose private token the gateway has cached) and
 * through one whose route adds a Redis-backed rate limit and the upstream's circuit breaker, in
 * alternating rounds, and reports the gateway-to-direct, authenticated-to-unauthenticated and
 * traffic-control on-to-off ratios among the others of {@link BenchReport#RATIOS}.
 *
 * <p>Exits 0 on a clean run, 1 when a round failed more than {@link BenchSummary#ERROR_BUDGET} of
 * its calls or the run broke, 2 on bad arguments.
 */
public final class BenchMain {

    private static final long FIRST_CALL_TIMEOUT_SECONDS = 10;
    private static final Duration DRIVER_WARMUP = Duration.ofSeconds(15);
    private static final Duration QUIET_BEFORE_COLD_START = Duration.ofSeconds(3);
    private static final Duration COLD_START_STEP = Duration.ofSeconds(1);
    private static final Duration LATENCY_WARMUP = Duration.ofSeconds(2);

    private BenchMain() {}

    /**
     * Runs the benchmark; {@link BenchOptions#USAGE} lists the arguments.
     *
     * @param args {@code --name=value} settings
     */
    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("torii-bench: " + e.getMessage());
            System.err.println(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        int status;
        try {
            status = run(options);
        } catch (Exception e) {
            System.err.println("torii-bench: FAILED: " + e);
            e.printStackTrace();
            status = 1;
        }
        // Event-loop and gRPC threads must not keep a finished run alive.
        System.exit(status);
    }

    private static int run(BenchOptions options) throws Exception {
        System.out.printf(Locale.ROOT, "torii-bench: POST %s on %s (HTTP/1.1 and h2c; legacy dialect with protobuf"
                        + " and JSON, and Connect), GET %s (REST)%s%s"
                        + " vs gRPC %s:%d%s%s; %d calls in flight (HTTP/2: over %d connections); per round"
                        + " %d-%d s warm-up + %d s measured; %d rounds; %d CPUs; driver JVM %s %s%n",
                GatewayHttpTarget.PATH, options.gateway(), GatewayHttpTarget.Dialect.restTemplate(),
                options.gatewayAuth().map(g -> " and, with a credential, " + g.uri()).orElse(""),
                options.gatewayTraffic().map(g -> " and, with a rate limit in Redis and the circuit breaker, " + g)
                        .orElse(""),
                options.directHost(), options.directPort(),
                options.nginx().map(n -> ", nginx " + n).orElse(""),
                options.haproxy().map(h -> ", HAProxy " + h).orElse(""),
                options.concurrency(), options.h2Connections(),
                options.warmup().toSeconds(), options.maxWarmup().toSeconds(), options.window().toSeconds(),
                options.rounds(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        List<ManagedChannel> channels = new ArrayList<>();
        ScheduledExecutorService pauses = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "torii-bench-pause");
            thread.setDaemon(true);
            return thread;
        });
        List<AutoCloseable> closing = new ArrayList<>();
        try {
            List<ManagedChannel> direct = channels(options.directHost(), options.directPort(),
                    options.h2Connections(), channels);
            String offerId;
            if (options.createOfferCredential().isPresent()) {
                offerId = BenchOffer.createThroughGateway(options.gateway(), options.createOfferCredential().get());
                System.out.println("torii-bench: created offer " + offerId
                        + " through the gateway; every call reads it");
            } else {
                offerId = BenchOffer.createDirect(direct.get(0));
                System.out.println("torii-bench: created offer " + offerId + "; every call reads it");
            }
            List<GatewayHttpTarget> gateways = new ArrayList<>();
            List<Planned> unary = new ArrayList<>();
            unary.add(new Planned(new DirectGrpcTarget(BenchReport.DIRECT, direct, offerId), options.concurrency()));
            if (options.nginx().isPresent()) {
                BenchOptions.HostPort nginx = options.nginx().get();
                unary.add(new Planned(new DirectGrpcTarget(BenchReport.NGINX,
                        channels(nginx.host(), nginx.port(), options.h2Connections(), channels), offerId),
                        options.concurrency()));
            }
            if (options.haproxy().isPresent()) {
                BenchOptions.HostPort haproxy = options.haproxy().get();
                unary.add(new Planned(new DirectGrpcTarget(BenchReport.HAPROXY,
                        channels(haproxy.host(), haproxy.port(), options.h2Connections(), channels), offerId),
                        options.concurrency()));
            }
            // The same call as direct's, through the plain gateway: native gRPC at the edge.
            List<ManagedChannel> throughGateway = channels(options.gateway().getHost(), options.gateway().getPort(),
                    options.h2Connections(), channels);
            unary.add(new Planned(new DirectGrpcTarget(BenchReport.GRPC, throughGateway, offerId),
                    options.concurrency()));
            gateways.add(new GatewayHttpTarget(BenchReport.GATEWAY, options.gateway(), offerId,
                    GatewayHttpTarget.Dialect.LEGACY, GatewayHttpTarget.Transport.HTTP11, options.concurrency(),
                    options.httpThreads(), Map.of()));
            gateways.add(new GatewayHttpTarget(BenchReport.GATEWAY_H2C, options.gateway(), offerId,
                    GatewayHttpTarget.Dialect.LEGACY, GatewayHttpTarget.Transport.H2C, options.h2Connections(),
                    options.httpThreads(), Map.of()));
            gateways.add(new GatewayHttpTarget(BenchReport.CONNECT, options.gateway(), offerId,
                    GatewayHttpTarget.Dialect.CONNECT, GatewayHttpTarget.Transport.HTTP11, options.concurrency(),
                    options.httpThreads(), Map.of()));
            // The same call with JSON bodies, and as REST: rest/json is what the REST mapping costs.
            gateways.add(new GatewayHttpTarget(BenchReport.JSON, options.gateway(), offerId,
                    GatewayHttpTarget.Dialect.JSON, GatewayHttpTarget.Transport.HTTP11, options.concurrency(),
                    options.httpThreads(), Map.of()));
            gateways.add(new GatewayHttpTarget(BenchReport.REST, options.gateway(), offerId,
                    GatewayHttpTarget.Dialect.REST, GatewayHttpTarget.Transport.HTTP11, options.concurrency(),
                    options.httpThreads(), Map.of()));
            if (options.gatewayAuth().isPresent()) {
                BenchOptions.AuthenticatedGateway auth = options.gatewayAuth().get();
                BenchOffer.requireCredential(auth.uri(), offerId);
                gateways.add(new GatewayHttpTarget(BenchReport.GATEWAY_AUTH, auth.uri(), offerId,
                        GatewayHttpTarget.Dialect.LEGACY, GatewayHttpTarget.Transport.HTTP11, options.concurrency(),
                        options.httpThreads(),
                        Map.of(HttpHeaderNames.AUTHORIZATION.toString(), "Bearer " + auth.credential())));
            }
            if (options.gatewayTraffic().isPresent()) {
                URI traffic = options.gatewayTraffic().get();
                BenchOffer.requireRateLimit(options.gateway(), offerId, false);
                String limit = BenchOffer.requireRateLimit(traffic, offerId, true);
                System.out.println("torii-bench: " + traffic + " answers GetOffer with RateLimit-Policy: " + limit
                        + ", " + options.gateway() + " without a rate limit");
                gateways.add(new GatewayHttpTarget(BenchReport.GATEWAY_TRAFFIC, traffic, offerId,
                        GatewayHttpTarget.Dialect.LEGACY, GatewayHttpTarget.Transport.HTTP11, options.concurrency(),
                        options.httpThreads(), Map.of()));
            }
            // Not called before its cold start: the first call it gets is the cold start's.
            Optional<GatewayHttpTarget> small = options.gatewaySmall().map(uri -> new GatewayHttpTarget(
                    BenchReport.GATEWAY_SMALL, uri, offerId, GatewayHttpTarget.Dialect.LEGACY,
                    GatewayHttpTarget.Transport.HTTP11, options.concurrency(), options.httpThreads(), Map.of()));
            closing.addAll(gateways);
            small.ifPresent(closing::add);
            gateways.forEach(g -> unary.add(new Planned(g, options.concurrency())));
            List<Planned> streaming = new ArrayList<>();
            if (options.streaming().isPresent()) {
                BenchOptions.Streaming settings = options.streaming().get();
                ManagedChannel authority = channels(settings.authority().host(), settings.authority().port(), 1,
                        channels).get(0);
                PrivateTokens token = new PrivateTokens(authority, settings.credential());
                System.out.println("torii-bench: the Authority issued a private token for " + PrivateTokens.AUDIENCE
                        + " until " + token.refresh() + " for the calls straight to the offer service;"
                        + " it is exchanged again as it nears its expiry");
                // The producer has a connection of its own, so it shares none with the streams it feeds.
                Channel producer = token.attach(channels(options.directHost(), options.directPort(), 1, channels)
                        .get(0));
                List<Channel> withToken = direct.stream().map(token::attach).toList();
                streaming.add(new Planned(new StreamFanoutTarget(BenchReport.STREAM_DIRECT,
                        new GrpcOfferStreams(withToken), settings.streams(), producer, token), settings.creates()));
                ConnectOfferStreams connect = new ConnectOfferStreams(options.gateway(), settings.credential(),
                        settings.streams(), options.httpThreads());
                closing.add(connect);
                streaming.add(new Planned(new StreamFanoutTarget(BenchReport.STREAM_GATEWAY, connect,
                        settings.streams(), producer, token), settings.creates()));
                Metadata credential = new Metadata();
                credential.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                        "Bearer " + settings.credential());
                List<Channel> grpcStreams = throughGateway.stream()
                        .map(channel -> ClientInterceptors.intercept(channel,
                                MetadataUtils.newAttachHeadersInterceptor(credential)))
                        .toList();
                streaming.add(new Planned(new StreamFanoutTarget(BenchReport.STREAM_GRPC,
                        new GrpcOfferStreams(grpcStreams), settings.streams(), producer, token), settings.creates()));
            }
            // The first authenticated call also makes the gateway exchange the credential at
            // the Authority: every measured call after it is a cache hit.
            for (Planned planned : unary) {
                firstCall(planned.target());
            }
            small.ifPresent(g -> unary.add(unary.indexOf(planned(unary, BenchReport.GATEWAY)) + 1,
                    new Planned(g, options.concurrency())));
            for (Planned planned : streaming) {
                planned.target().beforeLoad();
                try {
                    firstCall(planned.target());
                } finally {
                    planned.target().afterLoad();
                }
            }
            CpuUsage cpu = new CpuUsage(options.watched(), options.clockTicksPerSecond());
            Optional<ColdStart> coldStart = Optional.empty();
            if (small.isPresent()) {
                coldStart = Optional.of(coldStart(small.get(), planned(unary, BenchReport.GATEWAY).target(), options,
                        pauses, cpu));
            }
            List<Measurement> measurements = new ArrayList<>();
            // The unary rounds first: the streaming targets create offers by the hundred thousand,
            // and the offer service keeps only the latest 100,000, the unary calls' offer among them.
            measure(unary, options, pauses, cpu, measurements);
            List<OpenLoopLoad.Latency> latencies = latency(unary, options);
            measure(streaming, options, pauses, cpu, measurements);
            BenchSummary summary = new BenchSummary(measurements);
            Map<String, BenchReport.Connections> connections = new LinkedHashMap<>();
            gateways.forEach(g -> connections.put(g.name(), new BenchReport.Connections(g.connectionsOpened(),
                    g.connections(), g.transport().label())));
            BenchReport report = new BenchReport(options, summary, connections, coldStart, latencies);
            report.print(System.out);
            write(options.output(), report.toJson());
            System.out.println("torii-bench: JSON result in " + options.output());
            List<Measurement> failing = summary.overErrorBudget();
            if (!failing.isEmpty()) {
                for (Measurement m : failing) {
                    System.err.printf(Locale.ROOT, "torii-bench: FAILED: round %d %s: %d of %d calls failed"
                                    + " (%.3f%%; expected: at most %.1f%%); reasons: %s%n", m.round(), m.target(),
                            m.errors(), m.errors() + m.requests(), m.errorRate() * 100,
                            BenchSummary.ERROR_BUDGET * 100, m.failures());
                }
                return 1;
            }
            return 0;
        } finally {
            for (AutoCloseable c : closing) {
                c.close();
            }
            channels.forEach(ManagedChannel::shutdownNow);
            pauses.shutdownNow();
        }
    }

    // The driver's own HTTP client is warmed on the plain gateway first, so the curve shows the cold
    // server, not a cold driver; then the cold gateway is loaded from its very first call.
    private static ColdStart coldStart(LoadTarget cold, LoadTarget warm, BenchOptions options,
            ScheduledExecutorService pauses, CpuUsage cpu) throws InterruptedException {
        System.out.printf(Locale.ROOT, "torii-bench: warming the driver on %s for %d s, then following the cold"
                + " start of %s for %d s%n", warm.name(), DRIVER_WARMUP.toSeconds(), cold.name(),
                options.coldStart().toSeconds());
        new ClosedLoopLoad(warm, options.concurrency(), pauses, cpu).measure(0, Duration.ZERO, Duration.ZERO,
                DRIVER_WARMUP);
        // The plain gateway's JIT finishes what the driver's load queued before the cold one starts.
        TimeUnit.SECONDS.sleep(QUIET_BEFORE_COLD_START.toSeconds());
        ColdStart curve = new ClosedLoopLoad(cold, options.concurrency(), pauses, cpu)
                .coldStart(options.coldStart(), COLD_START_STEP);
        System.out.printf(Locale.ROOT, "torii-bench: cold start of %s: %s%n", cold.name(),
                BenchReport.describeColdStart(curve));
        return curve;
    }

    // Open-loop rounds at each fixed rate, on the unary targets that speak gRPC or are the gateway's
    // plain route: the latency each adds over direct, beside the peers'.
    private static List<OpenLoopLoad.Latency> latency(List<Planned> unary, BenchOptions options)
            throws Exception {
        List<OpenLoopLoad.Latency> latencies = new ArrayList<>();
        for (int rate : options.latencyRates()) {
            for (Planned planned : unary) {
                if (!BenchReport.LATENCY_TARGETS.contains(planned.target().name())) {
                    continue;
                }
                LoadTarget target = planned.target();
                target.beforeLoad();
                OpenLoopLoad.Latency latency;
                try {
                    latency = new OpenLoopLoad(target).measure(rate, LATENCY_WARMUP, options.latencyWindow());
                } finally {
                    target.afterLoad();
                }
                System.out.printf(Locale.ROOT, "torii-bench: %5d req/s %-15s mean %6.2f ms  p50 %6.2f ms  p99 %6.2f"
                                + " ms  fastest %6.2f ms  errors %d%n", rate, target.name(), latency.meanMillis(),
                        latency.millis(50), latency.millis(99), latency.minMillis(), latency.errors());
                latencies.add(latency);
            }
        }
        return latencies;
    }

    private static Planned planned(List<Planned> targets, String name) {
        return targets.stream().filter(p -> p.target().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no target " + name));
    }

    // Rounds of the targets in turn: a, b, c, a, b, c...
    private static void measure(List<Planned> targets, BenchOptions options, ScheduledExecutorService pauses,
            CpuUsage cpu, List<Measurement> measurements) throws Exception {
        for (int round = 1; round <= options.rounds(); round++) {
            for (Planned planned : targets) {
                LoadTarget target = planned.target();
                target.beforeLoad();
                Measurement m;
                try {
                    m = new ClosedLoopLoad(target, planned.concurrency(), pauses, cpu)
                            .measure(round, options.warmup(), options.maxWarmup(), options.window());
                } finally {
                    target.afterLoad();
                }
                System.out.printf(Locale.ROOT, "torii-bench: round %d %-15s %10.0f %s  p50 %6.2f ms"
                                + "  p99 %6.2f ms  errors %d  (after %s)%n", round, target.name(),
                        m.messagesPerSecond(), m.messagesPerCall() > 1 ? "msg/s" : "req/s", m.latencyMillis(50),
                        m.latencyMillis(99), m.errors(), BenchReport.describeWarmup(m));
                measurements.add(m);
            }
        }
    }

    // One connection each: grpc-java keeps a channel on one HTTP/2 connection. Listener callbacks
    // only record a time and start the next call: cheap enough for the transport thread, and it
    // spares the driver a thread hop the HTTP client does not make either.
    private static List<ManagedChannel> channels(String host, int port, int count, List<ManagedChannel> all) {
        List<ManagedChannel> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
                    .directExecutor()
                    .build();
            made.add(channel);
            all.add(channel);
        }
        return made;
    }

    // A target and the calls it keeps in flight.
    private record Planned(LoadTarget target, int concurrency) {}

    // One call before the load, so a wrong port or a missing route fails with its reason at once
    // instead of as a round full of errors.
    private static void firstCall(LoadTarget target) throws InterruptedException {
        CompletableFuture<String> failure = new CompletableFuture<>();
        target.call(new LoadTarget.Outcome() {
            @Override
            public void succeeded() {
                failure.complete(null);
            }

            @Override
            public void failed(String reason) {
                failure.complete(reason);
            }
        });
        String reason;
        try {
            reason = failure.get(FIRST_CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            reason = e.getCause().toString();
        } catch (TimeoutException e) {
            reason = "no answer within " + FIRST_CALL_TIMEOUT_SECONDS + " s";
        }
        if (reason != null) {
            throw new IllegalStateException("first call to " + target.name() + " failed: " + reason
                    + " (expected: the offer just created)");
        }
    }

    private static void write(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
