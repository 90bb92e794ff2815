package dev.torii.gateway.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;

/**
 * Decides when the routes folder is read again: soon after the file system reports a change in
 * it, and every poll interval regardless, because some file systems deliver no events and a
 * Kubernetes ConfigMap update swaps a {@code ..data} symbolic link rather than editing the files.
 * Events come in bursts (an editor's save, a ConfigMap swap), so a reload waits until they have
 * been quiet for a moment. Reloads run one at a time on the scheduler; only the wait for
 * file-system events has a thread of its own, since it blocks until an event comes.
 */
public final class RouteFolderWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RouteFolderWatcher.class);

    /** How long events must be quiet before a reload. */
    static final Duration DEBOUNCE = Duration.ofMillis(300);

    private final Path dir;
    private final RouteReloader reloader;
    private final Duration pollInterval;
    private final TaskScheduler scheduler;
    private final Object pendingLock = new Object();
    // Held while a reload runs, so close() can wait for one under way.
    private final Object reloading = new Object();
    private ScheduledFuture<?> polls;
    private ScheduledFuture<?> pending;
    private WatchService watchService;
    private volatile boolean closed;

    /**
     * Creates a watcher; {@link #start()} starts it.
     *
     * @param dir the routes folder
     * @param reloader reloads the folder when its content changed
     * @param pollInterval how often the folder is read without an event
     * @param scheduler runs the polls and the reloads after events
     */
    public RouteFolderWatcher(Path dir, RouteReloader reloader, Duration pollInterval, TaskScheduler scheduler) {
        this.dir = dir;
        this.reloader = reloader;
        this.pollInterval = pollInterval;
        this.scheduler = scheduler;
    }

    /**
     * Starts watching and polling.
     */
    public void start() {
        synchronized (pendingLock) {
            polls = scheduler.scheduleWithFixedDelay(this::reload, scheduler.getClock().instant().plus(pollInterval),
                    pollInterval);
        }
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
            if (closed) {
                return;
            }
            try {
                pending = scheduler.schedule(this::reload, scheduler.getClock().instant().plus(DEBOUNCE));
            } catch (RejectedExecutionException e) {
                // The gateway is stopping.
                log.debug("reload not scheduled, the scheduler is shutting down: {}", e.toString());
            }
        }
    }

    private void reload() {
        synchronized (reloading) {
            if (closed) {
                return;
            }
            try {
                reloader.reloadIfChanged();
            } catch (RuntimeException e) {
                // Never let one failure end the schedule: the next event or poll tries again.
                log.error("route reload failed unexpectedly; still serving the previous set", e);
            }
        }
    }

    /**
     * Stops watching and polling; a reload under way finishes first.
     */
    @Override
    public void close() {
        synchronized (pendingLock) {
            closed = true;
            if (polls != null) {
                polls.cancel(false);
            }
            if (pending != null) {
                pending.cancel(false);
            }
        }
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                log.debug("closing the watch service of {}: {}", dir, e.toString());
            }
        }
        synchronized (reloading) {
            // A reload under way has finished; none starts from now on.
        }
    }
}
