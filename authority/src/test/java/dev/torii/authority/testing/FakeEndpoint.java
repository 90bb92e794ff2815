package dev.torii.authority.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Serves a fake identity provider or Google key endpoint over real HTTP on an ephemeral loopback
 * port, and records every request so tests can count them.
 */
public final class FakeEndpoint implements AutoCloseable {

    /** One recorded request. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** One reply: status, JSON (or other) body, and how long to stall before answering. */
    public record Reply(int status, String body, Duration delay, Map<String, String> headers) {

        public static Reply json(String body) {
            return new Reply(200, body, Duration.ZERO, Map.of());
        }

        public static Reply status(int status, String body) {
            return new Reply(status, body, Duration.ZERO, Map.of());
        }

        public Reply delayedBy(Duration delay) {
            return new Reply(status, body, delay, headers);
        }

        public Reply withHeader(String name, String value) {
            return new Reply(status, body, delay, Map.of(name, value));
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Reply> handler = request -> Reply.status(404, "{}");

    private FakeEndpoint(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    public static FakeEndpoint start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            // Several threads, so a stalled reply does not hold up the next request.
            ExecutorService threads = Executors.newCachedThreadPool();
            server.setExecutor(threads);
            FakeEndpoint endpoint = new FakeEndpoint(server, threads);
            server.createContext("/", endpoint::handle);
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            Reply reply = handler.apply(request);
            if (!reply.delay().isZero()) {
                try {
                    Thread.sleep(reply.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } finally {
            exchange.close();
        }
    }

    /** Answers every request with this reply. */
    public void serve(Reply reply) {
        handler = request -> reply;
    }

    /** Answers each request with what the function returns. */
    public void serve(Function<Request, Reply> function) {
        handler = function;
    }

    public URI uri(String path) {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + path);
    }

    public int requestCount() {
        return requests.size();
    }

    public long requestCount(String path) {
        return requests.stream().filter(request -> request.path().equals(path)).count();
    }

    public Request lastRequest() {
        return requests.get(requests.size() - 1);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
