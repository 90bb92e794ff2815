package dev.torii.gateway.traffic;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/**
 * Owns the Lettuce client and its connections (Redis, Sentinel or Cluster), connecting lazily
 * and again after a failure, without ever blocking a request.
 *
 * <p>Where Lettuce can run on the gateway's own event loops (Reactor Netty's global ones, which
 * serve HTTP; both use epoll, as on Linux), each event loop gets a connection of its own, on
 * itself, as Envoy gives each worker its own: a check is written to Redis by the request's
 * thread and its reply read there, with no thread of Lettuce's to wake and no hand-over. On
 * two cores this took the gateway's CPU for a Redis-limited request from 221 to 187 µs (180
 * without a limit). Other threads, and every thread elsewhere, share one connection on
 * Lettuce's own I/O thread. Lettuce's per-command latency statistics stay off (LatencyUtils is
 * on the class path through Micrometer, which would turn them on): the gateway measures checks
 * itself.
 */
public final class RedisConnection implements SmartLifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisConnection.class);

    // Stops after the web server has drained its requests (graceful shutdown is DEFAULT_PHASE -
    // 1024, the server DEFAULT_PHASE - 2048) and before Reactor Netty's event loops, which
    // Lettuce may run on, are disposed (phase 0): connections close while their loops still run.
    private static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final RedisProperties settings;
    private final RedisURI uri;
    private final EventLoopGroup loops;
    // Made on the first connection attempt; guarded by this.
    private ClientResources resources;
    private volatile Object client;
    private final Slot common = new Slot();
    private final ConcurrentHashMap<Thread, Slot> perLoop = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Prepares the connection; nothing connects until the first check asks for it.
     *
     * @param settings where Redis is and how long a call may take
     */
    public RedisConnection(RedisProperties settings) {
        this(settings, HttpResources.get());
    }

    /**
     * Prepares the connection; nothing connects until the first check asks for it.
     *
     * @param settings where Redis is and how long a call may take
     * @param serverLoops the event loops of the gateway's HTTP server, which Lettuce shares where
     *     it can
     */
    public RedisConnection(RedisProperties settings, LoopResources serverLoops) {
        this.settings = settings;
        // Connecting (and its HELLO handshake, on a cold JVM) may take longer than one
        // rate-limit check may wait; each command times out after the check's timeout, on
        // Lettuce's timer.
        this.uri = settings.uri().map(configured -> {
            RedisURI parsed = RedisURI.create(configured);
            parsed.setTimeout(Duration.ofSeconds(2));
            return parsed;
        }).orElse(null);
        this.loops = uri != null && SharedEventLoops.usable() ? serverLoops.onClient(true) : null;
        if (settings.uri().isPresent()) {
            // Connect at start-up, in the background, so the first requests already share buckets.
            connect(common);
        }
    }

    /**
     * Returns the scripting commands of the calling event loop's connection (or the shared
     * one), starting a connection in the background when there is none yet.
     *
     * @return the commands
     * @throws IllegalStateException while not connected (the caller falls back to local buckets)
     */
    public RedisScriptingAsyncCommands<String, String> commands() {
        Slot slot = slot();
        RedisScriptingAsyncCommands<String, String> ready = slot.commands;
        if (ready != null) {
            return ready;
        }
        connect(slot);
        // Until this loop's own connection is up, the shared one serves.
        RedisScriptingAsyncCommands<String, String> shared = common.commands;
        if (shared != null) {
            return shared;
        }
        connect(common);
        throw new IllegalStateException("not connected to Redis yet");
    }

    private Slot slot() {
        if (loops == null) {
            return common;
        }
        Thread thread = Thread.currentThread();
        Slot slot = perLoop.get(thread);
        if (slot != null) {
            return slot;
        }
        for (EventExecutor loop : loops) {
            if (loop.inEventLoop()) {
                return perLoop.computeIfAbsent(thread, t -> new Slot());
            }
        }
        return common;
    }

    // Called on the thread whose connection it makes: on an event loop, the colocated group
    // registers the new channel on that very loop.
    private void connect(Slot slot) {
        synchronized (slot) {
            if (closed || slot.commands != null || (slot.connecting != null && !slot.connecting.isDone())) {
                return;
            }
            Object current = client();
            if (current instanceof RedisClusterClient cluster) {
                slot.connecting = cluster.connectAsync(StringCodec.UTF8).toCompletableFuture()
                        .thenAccept(connection -> slot.commands = connection.async());
            } else if (current instanceof RedisClient standalone) {
                slot.connecting = standalone.connectAsync(StringCodec.UTF8, uri).toCompletableFuture()
                        .thenAccept(connection -> slot.commands = connection.async());
            } else {
                return;
            }
            slot.connecting.exceptionally(failure -> {
                log.debug("Redis connection attempt failed: {}", failure.getMessage());
                return null;
            });
        }
    }

    // The Lettuce client, made once (never after close, then null): its own resources (event
    // loops lent by Reactor Netty where they can be), reconnecting by itself, rejecting commands
    // while disconnected.
    private Object client() {
        Object made = client;
        if (made != null) {
            return made;
        }
        synchronized (this) {
            if (client == null && !closed) {
                DefaultClientResources.Builder builder = DefaultClientResources.builder()
                        .ioThreadPoolSize(1)
                        .computationThreadPoolSize(1)
                        .commandLatencyRecorder(CommandLatencyRecorder.disabled());
                if (loops != null) {
                    builder.eventLoopGroupProvider(new SharedEventLoops(loops));
                }
                resources = builder.build();
                ClientOptions options = ClientOptions.builder()
                        .autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                        .build();
                if (settings.cluster()) {
                    RedisClusterClient cluster = RedisClusterClient.create(resources, uri);
                    cluster.setOptions(ClusterClientOptions.builder(options).build());
                    client = cluster;
                } else {
                    RedisClient standalone = RedisClient.create(resources);
                    standalone.setOptions(options);
                    client = standalone;
                }
            }
            return client;
        }
    }

    @Override
    public void start() {
        // Connects in the constructor, so that the first requests already share buckets.
    }

    @Override
    public boolean isRunning() {
        return !closed;
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Object current = client;
        if (current instanceof RedisClient standalone) {
            standalone.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } else if (current instanceof RedisClusterClient cluster) {
            cluster.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        // Resources given to a client are not the client's to shut down. Waited for, so that
        // Lettuce's timer (a reconnect scheduled while Redis was out) has stopped before the
        // event loops it would reconnect on do.
        if (resources != null) {
            resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    // One connection and its attempt in progress.
    private static final class Slot {
        private volatile RedisScriptingAsyncCommands<String, String> commands;
        private volatile CompletableFuture<?> connecting;
    }
}
