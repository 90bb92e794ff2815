package dev.torii.gateway.warmup;

import dev.torii.gateway.exchange.WarmUpKey;
import dev.torii.gateway.reload.RouteSetActivator;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.UpstreamTarget;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.PropertyResolver;
import reactor.core.publisher.Sinks;
import reactor.netty.resources.LoopResources;

/**
 * Warms the JIT up before the gateway reports ready: once the public server listens, it starts
 * the built-in backend ({@link WarmUpBackend}), sets the warm-up routes ({@link WarmUpRoutes}) as
 * the table warm-up calls are matched against, and sends synthetic calls through the real
 * request path ({@link WarmUpCalls}) until the call budget is answered and the JIT has caught up
 * with it ({@link JitActivity}), or until the time budget is spent.
 * Then it clears the warm-up routes, retires the key, drops the built-in upstream's guards and
 * channel, stops the backend, writes one log line, and readiness turns UP.
 *
 * <p>The routes in force are never touched: clients' requests and everything that shows routes
 * (status page, API documents, health, meters) see only them, and a reload during the warm-up
 * takes effect at once, for clients and for what is in force afterwards alike.
 *
 * <p>A failure anywhere (the backend cannot bind, a call fails) ends the warm-up with a warning;
 * the gateway becomes ready all the same.
 */
public final class WarmUp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final RouteRegistry routes;
    private final RouteSetActivator activator;
    private final WarmUpKey key;
    private final PropertyResolver placeholders;
    private final Supplier<LoopResources> loops;
    private final WarmUpHealthIndicator health;
    private final int calls;
    private final Duration maxDuration;
    private final int concurrency;
    private final AtomicBoolean started = new AtomicBoolean();
    private final Sinks.Empty<Void> stop = Sinks.empty();
    private volatile Thread thread;

    /**
     * Creates the warm-up; {@link #start} runs it.
     *
     * @param routes where the warm-up routes are set for warm-up calls
     * @param activator drops the built-in upstream's guards and channel afterwards
     * @param key the key warm-up calls carry; retired when the warm-up ends
     * @param placeholders resolves placeholders of the warm-up's route file
     * @param loops the gateway's event loops, for the HTTP client
     * @param health the readiness indicator, told when the warm-up ends
     * @param calls how many calls to send
     * @param maxDuration the time budget
     * @param concurrency calls in flight at once
     */
    public WarmUp(RouteRegistry routes, RouteSetActivator activator, WarmUpKey key, PropertyResolver placeholders,
            Supplier<LoopResources> loops, WarmUpHealthIndicator health, int calls, Duration maxDuration,
            int concurrency) {
        this.routes = routes;
        this.activator = activator;
        this.key = key;
        this.placeholders = placeholders;
        this.loops = loops;
        this.health = health;
        this.calls = calls;
        this.maxDuration = maxDuration;
        this.concurrency = concurrency;
    }

    /**
     * Starts the warm-up on a thread of its own, once; later calls do nothing.
     *
     * @param host the address the public server listens on, reachable from this process
     * @param port the public server's port
     */
    public void start(String host, int port) {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        Thread runner = new Thread(() -> run(host, port), "torii-warm-up");
        runner.setDaemon(true);
        thread = runner;
        runner.start();
    }

    /**
     * Ends the warm-up without running it, with a warning naming why; readiness turns UP.
     *
     * @param reason why the gateway cannot warm up
     */
    public void skip(String reason) {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        key.retire();
        log.warn("warm-up skipped: {}; the gateway is ready without it", reason);
        health.ended(0, Duration.ZERO, "skipped: " + reason);
    }

    private void run(String host, int port) {
        long begun = System.nanoTime();
        WarmUpBackend backend = null;
        WarmUpCalls client = null;
        Set<UpstreamTarget> upstreams = Set.of();
        long answered = 0;
        String failure = null;
        try {
            backend = WarmUpBackend.start();
            RouteTable table = WarmUpRoutes.load(backend.target(), placeholders);
            upstreams = table.upstreams();
            routes.warmUp(table);
            client = new WarmUpCalls(host, port, key, loops.get(), concurrency);
            health.running(client::answered);
            Long done = client.run(calls, concurrency, maxDuration, JitActivity.ofThisJvm(), stop.asMono())
                    .block(maxDuration.plus(STOP_WAIT));
            answered = done == null ? client.answered() : done;
        } catch (Exception | LinkageError e) {
            // Whatever went wrong, the gateway must become ready: a cold one is slower, not broken.
            answered = client == null ? 0 : client.answered();
            failure = String.valueOf(e.getMessage() == null ? e : e.getMessage());
        } finally {
            routes.warmUp(null);
            key.retire();
            try {
                activator.dropUnused(upstreams);
            } catch (RuntimeException e) {
                log.debug("warm-up upstream not dropped: {}", e.toString());
            }
            if (client != null) {
                client.close();
            }
            if (backend != null) {
                backend.close();
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - begun);
        String seconds = String.format(Locale.ROOT, "%.1f", took.toMillis() / 1000.0);
        if (failure != null) {
            log.warn("warm-up failed after {} calls in {} s; the gateway is ready without it: {}", answered, seconds,
                    failure);
        } else {
            log.info("warm-up: {} calls in {} s{}", answered, seconds, took.compareTo(maxDuration) >= 0
                    ? " (time budget of " + maxDuration + " spent)" : "");
        }
        health.ended(answered, took, failure);
    }

    /**
     * Stops a warm-up still running, waiting a few seconds for it to tidy up.
     */
    @Override
    public void close() {
        stop.tryEmitEmpty();
        Thread runner = thread;
        if (runner != null) {
            try {
                runner.join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
