package dev.torii.authority.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real {@code redis-server} process on an ephemeral port for a test, and can stop and
 * start it again on the same port to simulate an outage.
 */
public final class RedisServerProcess implements AutoCloseable {

    private final Path binary;
    private final int port;
    private final Path dir;
    private Process process;

    private RedisServerProcess(Path binary, int port, Path dir) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts a server on a free port.
     *
     * @return the running server
     */
    public static RedisServerProcess start() throws IOException {
        Path binary = locate();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RedisServerProcess redis = new RedisServerProcess(binary, port, Files.createTempDirectory("redis-test"));
        redis.startProcess();
        return redis;
    }

    private static Path locate() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path debian = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        throw new IllegalStateException("redis-server not found on PATH (expected: installed by make test,"
                + " from Debian's redis-server package)");
    }

    /**
     * Starts the process again after {@link #stop()}, on the same port.
     */
    public void startProcess() throws IOException {
        process = new ProcessBuilder(List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (ping()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("redis-server did not answer on port " + port + "; see " + dir.resolve("redis.log"));
    }

    /**
     * Stops the process, as an outage would.
     */
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /**
     * Returns the server's URI.
     *
     * @return {@code redis://127.0.0.1:port}
     */
    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    /**
     * Runs one command with the inline protocol and returns the raw reply, for assertions.
     *
     * @param command for example {@code DBSIZE}
     * @return the reply's first line
     */
    public String command(String command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }

    private boolean ping() {
        try {
            return command("PING").equals("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
