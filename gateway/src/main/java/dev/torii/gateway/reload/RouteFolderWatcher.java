package dev.torii.gateway.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the routes folder is read again: soon after the file system reports a change in
 * it, and every poll interval regardless, because some file systems deliver no events and a
 * Kubernetes ConfigMap update swaps a {@code ..data} symbolic link rather than editing the files.
 * Events come in bursts (an editor's save, a ConfigMap swap), so a reload waits until they have
 * been quiet for a moment. Reloads run one at a time on a background thread.
 */
public final class RouteFolderWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RouteFolderWatcher.class);

    /** How long events must be quiet before a reload. */
    static final Duration DEBOUNCE = Duration.ofMillis(300);

    private final Path dir;
    private final RouteReloader reloader;
    private final Duration pollInterval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "torii-route-reload");
        thread.setDaemon(true);
        return thread;
    });
    private final Object pendingLock = new Object();
    private ScheduledFuture<?> pending;
    private WatchService watchService;

    /**
     * Creates a watcher; {@link #start()} starts it.
     *
     * @param dir the routes folder
     * @param reloader reloads the folder when its content changed
     * @param pollInterval how often the folder is read without an event
     */
    public RouteFolderWatcher(Path dir, RouteReloader reloader, Duration pollInterval) {
        this.dir = dir;
        this.reloader = reloader;
        this.pollInterval = pollInterval;
    }

    /**
     * Starts watching and polling.
     */
    public void start() {
        timer.scheduleWithFixedDelay(this::reload, pollInterval.toMillis(), pollInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            watchService = FileSystems.getDefault().newWatchService();
            // Any event counts, hidden entries included: a ConfigMap update shows up only as
            // changes to ..data and its timestamped folders.
            dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            Thread watchThread = new Thread(this::watch, "torii-route-watch");
            watchThread.setDaemon(true);
            watchThread.start();
            log.info("watching {} for route changes (and reading it every {} ms)", dir.toAbsolutePath().normalize(),
                    pollInterval.toMillis());
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot watch {} for changes ({}); reading it every {} ms instead",
                    dir.toAbsolutePath().normalize(), e.toString(), pollInterval.toMillis());
        }
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                key.pollEvents();
                reloadSoon();
                if (!key.reset()) {
                    // The folder itself went away; polling carries on and sees it come back.
                    log.warn("{} can no longer be watched; reading it every {} ms instead",
                            dir.toAbsolutePath().normalize(), pollInterval.toMillis());
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // Closed on shutdown.
        }
    }

    private void reloadSoon() {
        synchronized (pendingLock) {
            if (pending != null) {
                pending.cancel(false);
            }
            if (!timer.isShutdown()) {
                pending = timer.schedule(this::reload, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void reload() {
        try {
            reloader.reloadIfChanged();
        } catch (RuntimeException e) {
            // Never let one failure end the schedule: the next event or poll tries again.
            log.error("route reload failed unexpectedly; still serving the previous set", e);
        }
    }

    /**
     * Stops watching and polling; a reload under way finishes first.
     */
    @Override
    public void close() {
        timer.shutdown();
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                log.debug("closing the watch service of {}: {}", dir, e.toString());
            }
        }
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
