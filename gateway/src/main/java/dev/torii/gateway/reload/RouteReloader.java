package dev.torii.gateway.reload;

import dev.torii.gateway.routefile.RouteFileLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Decides when the routes folder is put in force again: when its route files differ from those
 * of the last attempt. Putting it in force (or refusing it) is the {@link RouteSetActivator}'s job,
 * the same as at start-up.
 */
public final class RouteReloader {

    private static final int DIGEST_CHARS = 12;

    private final Path dir;
    private final RouteSetActivator activator;
    private final ReloadStatus status;

    /**
     * Creates a reloader.
     *
     * @param dir the routes folder
     * @param activator puts a changed folder in force; must have put the start-up set in force
     * @param status where the activator records attempts; read for the last attempt's digest
     */
    public RouteReloader(Path dir, RouteSetActivator activator, ReloadStatus status) {
        this.dir = dir;
        this.activator = activator;
        this.status = status;
    }

    /**
     * Reloads the folder if its route files differ from those of the last attempt; a folder
     * that stays unchanged after a refused attempt is not tried (nor logged) again.
     *
     * @return whether an attempt was made
     */
    public synchronized boolean reloadIfChanged() {
        String digest = digest(dir);
        if (digest.equals(status.snapshot().last().digest())) {
            return false;
        }
        activator.reload(digest);
        return true;
    }

    /**
     * Digests the route files of a folder (names and content, links followed), telling one
     * version of the folder from another. Reading a few small files every few seconds is cheap,
     * and unlike modification times a digest sees a Kubernetes ConfigMap swap, which replaces
     * the files behind symbolic links.
     *
     * @param dir the routes folder
     * @return a short hex digest, or a description of why the folder cannot be read
     */
    public static String digest(Path dir) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try {
            for (Path file : RouteFileLoader.routeFiles(dir)) {
                sha256.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
                sha256.update(Files.readAllBytes(file));
                sha256.update((byte) 0);
            }
        } catch (IOException | RuntimeException e) {
            return "unreadable (" + e + ")";
        }
        return HexFormat.of().formatHex(sha256.digest()).substring(0, DIGEST_CHARS);
    }
}
