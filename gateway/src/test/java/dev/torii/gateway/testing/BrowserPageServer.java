package dev.torii.gateway.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A web origin of its own for pages under test: serves a fixed set of files on an ephemeral
 * loopback port and collects the JSON events the pages POST to {@code /events}, so a test can
 * follow what a page's scripts saw. The same server is two origins, {@code http://localhost:port}
 * and {@code http://127.0.0.1:port}, as a browser counts them.
 */
public final class BrowserPageServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();

    private BrowserPageServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving {@code files}, each under {@code /name}.
     *
     * @param files the files by the name they are served under, such as {@code page.html}
     * @return the running server
     */
    public static BrowserPageServer start(Map<String, Path> files) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        BrowserPageServer pages = new BrowserPageServer(server);
        server.createContext("/", exchange -> {
            try (exchange) {
                Path file = files.get(exchange.getRequestURI().getPath().substring(1));
                if (file == null || !exchange.getRequestMethod().equals("GET")) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                exchange.getResponseHeaders().set("Content-Type", contentType(file));
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.createContext("/events", exchange -> {
            try (exchange) {
                pages.receive(exchange);
            }
        });
        server.start();
        return pages;
    }

    private void receive(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        try (InputStream in = exchange.getRequestBody()) {
            events.add(JSON.readTree(in.readAllBytes()));
        }
        exchange.sendResponseHeaders(204, -1);
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js") || name.endsWith(".mjs")) {
            return "text/javascript; charset=utf-8";
        }
        return "application/octet-stream";
    }

    /**
     * Returns this server as the origin a page is loaded from.
     *
     * @param host {@code localhost} or {@code 127.0.0.1}: the same server, two origins
     * @return the origin, such as {@code http://localhost:41234}
     */
    public String origin(String host) {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /**
     * Waits for the next event a page posted.
     *
     * @param timeout how long to wait
     * @return the event
     * @throws AssertionError when none comes in time
     */
    public JsonNode nextEvent(Duration timeout) throws InterruptedException {
        JsonNode event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no page posted an event within " + timeout);
        }
        return event;
    }

    /**
     * Returns the next event a page posted without taking it.
     *
     * @return the event, or empty when none is waiting
     */
    public Optional<JsonNode> peekEvent() {
        return Optional.ofNullable(events.peek());
    }

    /**
     * Forgets the events not read yet.
     */
    public void clear() {
        events.clear();
    }

    /**
     * Stops serving.
     */
    @Override
    public void close() {
        server.stop(0);
    }
}
