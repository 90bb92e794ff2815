package dev.torii.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Measures {@code GetOffer} throughput and latency straight to the offer service over gRPC,
 * through the gateway as protobuf over HTTP, and optionally through a gateway whose route
 * requires a user (with a credential whose private token the gateway has cached) and through one
 * whose route adds a Redis-backed rate limit and the upstream's circuit breaker, in alternating
 * rounds, and reports the gateway-to-direct, authenticated-to-unauthenticated and traffic-control
 * on-to-off ratios.
 *
 * <p>Exits 0 on a clean run, 1 when a round failed more than {@link BenchSummary#ERROR_BUDGET} of
 * its calls or the run broke, 2 on bad arguments.
 */
public final class BenchMain {

    private static final long FIRST_CALL_TIMEOUT_SECONDS = 10;

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
        System.out.printf(Locale.ROOT, "torii-bench: POST %s on %s%s%s vs gRPC %s:%d; %d calls in flight; per round"
                        + " %d-%d s warm-up + %d s measured; %d rounds; %d CPUs; driver JVM %s %s%n",
                GatewayHttpTarget.PATH, options.gateway(),
                options.gatewayAuth().map(g -> " and, with a credential, " + g.uri()).orElse(""),
                options.gatewayTraffic().map(g -> " and, with a rate limit in Redis and the circuit breaker, " + g)
                        .orElse(""),
                options.directHost(), options.directPort(), options.concurrency(),
                options.warmup().toSeconds(), options.maxWarmup().toSeconds(), options.window().toSeconds(),
                options.rounds(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        // Listener callbacks only record a time and start the next call: cheap enough for the
        // transport thread, and it spares the driver a thread hop the HTTP client does not make either.
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(options.directHost(), options.directPort(),
                        InsecureChannelCredentials.create())
                .directExecutor()
                .build();
        ScheduledExecutorService pauses = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "torii-bench-pause");
            thread.setDaemon(true);
            return thread;
        });
        try {
            String offerId;
            if (options.createOfferCredential().isPresent()) {
                offerId = BenchOffer.createThroughGateway(options.gateway(), options.createOfferCredential().get());
                System.out.println("torii-bench: created offer " + offerId
                        + " through the gateway; every call reads it");
            } else {
                offerId = BenchOffer.createDirect(channel);
                System.out.println("torii-bench: created offer " + offerId + "; every call reads it");
            }
            List<GatewayHttpTarget> gateways = new ArrayList<>();
            try {
                gateways.add(new GatewayHttpTarget(BenchReport.GATEWAY, options.gateway(), offerId,
                        options.concurrency(), options.httpThreads(), Map.of()));
                if (options.gatewayAuth().isPresent()) {
                    BenchOptions.AuthenticatedGateway auth = options.gatewayAuth().get();
                    BenchOffer.requireCredential(auth.uri(), offerId);
                    gateways.add(new GatewayHttpTarget(BenchReport.GATEWAY_AUTH, auth.uri(), offerId,
                            options.concurrency(), options.httpThreads(),
                            Map.of(HttpHeaderNames.AUTHORIZATION.toString(), "Bearer " + auth.credential())));
                }
                if (options.gatewayTraffic().isPresent()) {
                    URI traffic = options.gatewayTraffic().get();
                    BenchOffer.requireRateLimit(options.gateway(), offerId, false);
                    String limit = BenchOffer.requireRateLimit(traffic, offerId, true);
                    System.out.println("torii-bench: " + traffic + " answers GetOffer with RateLimit-Policy: " + limit
                            + ", " + options.gateway() + " without a rate limit");
                    gateways.add(new GatewayHttpTarget(BenchReport.GATEWAY_TRAFFIC, traffic, offerId,
                            options.concurrency(), options.httpThreads(), Map.of()));
                }
                List<LoadTarget> targets = new ArrayList<>();
                targets.add(new DirectGrpcTarget(channel, offerId));
                targets.addAll(gateways);
                // The first authenticated call also makes the gateway exchange the credential at
                // the Authority: every measured call after it is a cache hit.
                for (LoadTarget target : targets) {
                    firstCall(target);
                }
                CpuUsage cpu = new CpuUsage(options.watched(), options.clockTicksPerSecond());
                List<Measurement> measurements = new ArrayList<>();
                for (int round = 1; round <= options.rounds(); round++) {
                    for (LoadTarget target : targets) {
                        Measurement m = new ClosedLoopLoad(target, options.concurrency(), pauses, cpu)
                                .measure(round, options.warmup(), options.maxWarmup(), options.window());
                        System.out.printf(Locale.ROOT, "torii-bench: round %d %-15s %10.0f req/s  p50 %6.2f ms"
                                        + "  p99 %6.2f ms  errors %d  (after %s)%n", round, target.name(),
                                m.requestsPerSecond(), m.latencyMillis(50), m.latencyMillis(99), m.errors(),
                                BenchReport.describeWarmup(m));
                        measurements.add(m);
                    }
                }
                BenchSummary summary = new BenchSummary(measurements);
                Map<String, Long> connections = new LinkedHashMap<>();
                gateways.forEach(g -> connections.put(g.name(), g.connectionsOpened()));
                BenchReport report = new BenchReport(options, summary, connections);
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
                gateways.forEach(GatewayHttpTarget::close);
            }
        } finally {
            channel.shutdownNow();
            pauses.shutdownNow();
        }
    }

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
