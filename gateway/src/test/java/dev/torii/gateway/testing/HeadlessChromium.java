package dev.torii.gateway.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Loads pages in a real headless Chromium (Debian's {@code chromium} package): returns the
 * document as the browser built it, or keeps the page open while its scripts run. Each load is a
 * fresh browser with a fresh profile, as if a person opened the page again.
 */
public final class HeadlessChromium {

    private final Path binary;

    private HeadlessChromium(Path binary) {
        this.binary = binary;
    }

    /**
     * Finds Chromium on the {@code PATH} or at {@code /usr/bin/chromium}.
     *
     * @return the browser
     * @throws IllegalStateException when it is not installed
     */
    public static HeadlessChromium locate() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "chromium");
            if (Files.isExecutable(candidate)) {
                return new HeadlessChromium(candidate);
            }
        }
        Path debian = Path.of("/usr/bin/chromium");
        if (Files.isExecutable(debian)) {
            return new HeadlessChromium(debian);
        }
        throw new IllegalStateException("chromium not found on PATH (expected: installed by make test,"
                + " from Debian's chromium package: scripts/test-deps.sh chromium)");
    }

    /**
     * Loads a page and returns its DOM, serialised.
     *
     * @param page the page's address
     * @return the document
     */
    public String dumpDom(URI page) throws IOException, InterruptedException {
        return dumpDom(page, List.of());
    }

    /**
     * Loads a page, lets its scripts and their requests run for some virtual time, and returns
     * its DOM, serialised: for pages that render what they fetch.
     *
     * @param page the page's address
     * @param budget how long the page may run, in Chromium's virtual time
     * @return the document
     */
    public String dumpDomAfter(URI page, java.time.Duration budget) throws IOException, InterruptedException {
        return dumpDom(page, List.of("--virtual-time-budget=" + budget.toMillis()));
    }

    private String dumpDom(URI page, List<String> extraFlags) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Path out = Files.createTempFile("chromium", ".html");
        Path err = Files.createTempFile("chromium", ".log");
        try {
            List<String> command = new java.util.ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--user-data-dir=" + profile));
            command.addAll(extraFlags);
            command.addAll(List.of("--dump-dom", page.toString()));
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("chromium did not load " + page + " within 60s");
            }
            String dom = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0 || dom.isBlank()) {
                throw new IllegalStateException("chromium could not load " + page + " (exit " + process.exitValue()
                        + "): " + Files.readString(err, StandardCharsets.UTF_8));
            }
            return dom;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            deleteRecursively(profile);
        }
    }

    /**
     * Opens a page in a browser that keeps running, with its scripts, until the window is closed.
     *
     * @param page the page's address
     * @return the open window
     */
    public Window open(URI page) throws IOException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Path log = Files.createTempFile("chromium", ".log");
        Process process = new ProcessBuilder(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                "--user-data-dir=" + profile, page.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new Window(process, profile, log);
    }

    /** A page open in a running headless Chromium. */
    public static final class Window implements AutoCloseable {
        private final Process process;
        private final Path profile;
        private final Path log;

        private Window(Process process, Path profile, Path log) {
            this.process = process;
            this.profile = profile;
            this.log = log;
        }

        /**
         * Returns what the browser has logged so far.
         *
         * @return the browser's log
         */
        public String log() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /**
         * Ends the browser and its helper processes and deletes its profile.
         */
        @Override
        public void close() throws IOException {
            List<ProcessHandle> helpers = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            helpers.forEach(ProcessHandle::destroyForcibly);
            Files.deleteIfExists(log);
            deleteRecursively(profile);
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
