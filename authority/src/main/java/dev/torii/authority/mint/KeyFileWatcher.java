package dev.torii.authority.mint;

import com.nimbusds.jose.jwk.JWK;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the key ring in step with key files: the first file holds the signing key, any others
 * are published for verification only (such as the next key, announced before a rotation). When
 * the files change (a Kubernetes Secret update), the ring rotates without a restart. A broken
 * update is logged and ignored; the last good keys stay in force.
 */
public final class KeyFileWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeyFileWatcher.class);

    private final List<Path> files;
    private final String algorithm;
    private final KeyRing ring;
    private final ScheduledExecutorService timer;

    private KeyFileWatcher(List<Path> files, String algorithm, KeyRing ring, java.time.Duration interval) {
        this.files = files;
        this.algorithm = algorithm;
        this.ring = ring;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "signing-key-watcher");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Reads the key files once, strictly (start-up fails on a bad file).
     *
     * @param files the key files, signing key first
     * @param algorithm the signing algorithm
     * @return the keys, signing key first
     */
    public static List<JWK> read(List<Path> files, String algorithm) {
        List<JWK> keys = new ArrayList<>();
        for (Path file : files) {
            keys.add(SigningKeys.read(file, algorithm));
        }
        return keys;
    }

    /**
     * Starts watching {@code files} for changes.
     *
     * @param files the key files, signing key first
     * @param algorithm the signing algorithm
     * @param ring the ring to update
     * @param interval how often to look
     * @return the running watcher
     */
    public static KeyFileWatcher watch(List<Path> files, String algorithm, KeyRing ring, java.time.Duration interval) {
        return new KeyFileWatcher(files, algorithm, ring, interval);
    }

    void poll() {
        try {
            List<JWK> keys = read(files, algorithm);
            ring.publishAlso(keys.subList(1, keys.size()));
            ring.rotate(keys.get(0));
        } catch (RuntimeException e) {
            log.warn("signing key files not reloaded; the keys in force stay: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
