package dev.torii.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Sends real HTTP requests to a gateway under test.
 */
public final class HttpCalls {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    /**
     * Targets {@code http://localhost:port}.
     *
     * @param port the gateway's public port
     */
    public HttpCalls(int port) {
        this.base = "http://localhost:" + port;
    }

    /**
     * Posts a body with a content type.
     *
     * @param path the request path
     * @param contentType the Content-Type, or null for none
     * @param body the body
     * @param headers extra header name/value pairs
     * @return the response
     */
    public HttpResponse<byte[]> post(String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    /**
     * Posts a JSON text.
     *
     * @param path the request path
     * @param json the body
     * @param headers extra header name/value pairs
     * @return the response
     */
    public HttpResponse<byte[]> postJson(String path, String json, String... headers) {
        return post(path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    /**
     * Sends any request.
     *
     * @param request the request
     * @return the response
     */
    public HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Returns the base URI of the gateway.
     *
     * @return for example {@code http://localhost:8080}
     */
    public String base() {
        return base;
    }
}
