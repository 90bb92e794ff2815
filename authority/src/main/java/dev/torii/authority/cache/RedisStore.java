package dev.torii.authority.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares cache entries between Authority replicas through Redis, and never lets Redis trouble
 * reach callers: every command has a short timeout; after a failure Redis is skipped for a few
 * seconds (the in-process cache carries on alone), the outage is logged once, and the store
 * returns to Redis by itself.
 */
public final class RedisStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisStore.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final RedisClient client;
    private final RedisURI uri;
    private final Duration timeout;
    private final String prefix;
    private final AtomicLong skipUntilNanos = new AtomicLong(System.nanoTime());
    private final AtomicBoolean down = new AtomicBoolean(false);
    private volatile CompletableFuture<StatefulRedisConnection<String, byte[]>> connection;

    /**
     * Creates a store; it connects lazily and keeps trying while Redis is away.
     *
     * @param uri a Lettuce URI, such as {@code redis://localhost:6379/0}
     * @param timeout the longest one command may take
     * @param prefix prefix of every key
     */
    public RedisStore(URI uri, Duration timeout, String prefix) {
        this.uri = RedisURI.create(uri);
        // Connecting (and its handshake, on a cold JVM) may take longer than a cache command may
        // wait; commands get their own timeout below.
        this.uri.setTimeout(Duration.ofSeconds(2));
        this.client = RedisClient.create();
        // Fail fast while disconnected instead of queueing commands that would all time out.
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
                .build());
        this.timeout = timeout;
        this.prefix = prefix;
    }

    /**
     * Reads a value.
     *
     * @param key the key, without prefix
     * @return the value; empty when absent or when Redis cannot answer in time
     */
    public CompletableFuture<Optional<byte[]>> get(String key) {
        return withConnection(c -> c.async().get(prefix + key).toCompletableFuture())
                .thenApply(Optional::ofNullable)
                .exceptionally(e -> Optional.empty());
    }

    /**
     * Writes a value that expires; failures are absorbed.
     *
     * @param key the key, without prefix
     * @param value the value
     * @param ttl how long Redis keeps it
     */
    public void set(String key, byte[] value, Duration ttl) {
        if (ttl.toMillis() <= 0) {
            return;
        }
        withConnection(c -> c.async().set(prefix + key, value, SetArgs.Builder.px(ttl.toMillis())).toCompletableFuture());
    }

    /**
     * Tells whether Redis answered the last command.
     *
     * @return true while Redis is reachable
     */
    public boolean available() {
        return !down.get();
    }

    private <T> CompletableFuture<T> withConnection(
            java.util.function.Function<StatefulRedisConnection<String, byte[]>, CompletableFuture<T>> command) {
        if (System.nanoTime() - skipUntilNanos.get() < 0) {
            return CompletableFuture.failedFuture(new IllegalStateException("redis skipped after a failure"));
        }
        CompletableFuture<T> result = connect()
                .thenCompose(command)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((value, failure) -> {
            if (failure != null) {
                failed(failure);
            } else if (down.compareAndSet(true, false)) {
                log.info("Redis at {} is back; sharing the exchange cache again", safeUri());
            }
        });
        return result;
    }

    private CompletableFuture<StatefulRedisConnection<String, byte[]>> connect() {
        CompletableFuture<StatefulRedisConnection<String, byte[]>> current = connection;
        if (current != null && !current.isCompletedExceptionally()) {
            return current;
        }
        synchronized (this) {
            if (connection == null || connection.isCompletedExceptionally()) {
                connection = client.connectAsync(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), uri)
                        .toCompletableFuture();
            }
            return connection;
        }
    }

    private void failed(Throwable failure) {
        skipUntilNanos.set(System.nanoTime() + RETRY_AFTER.toNanos());
        if (down.compareAndSet(false, true)) {
            log.warn("Redis at {} is unavailable ({}); the in-process cache carries on alone and Redis is retried"
                    + " every {}s", safeUri(), rootMessage(failure), RETRY_AFTER.toSeconds());
        }
    }

    private String safeUri() {
        return uri.getHost() + ":" + uri.getPort();
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<String, byte[]>> current = connection;
        if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
            current.join().close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
