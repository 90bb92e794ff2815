package dev.torii.authority.verify;

import io.micrometer.context.ContextSnapshotFactory;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Calls an identity provider or key endpoint with Spring's {@link WebClient} on Reactor Netty,
 * asynchronously, within a deadline and a response size limit, turning every transport failure
 * into {@link VerifierUnavailableException}.
 *
 * <p>The client is built from the {@link WebClient.Builder} it is given: Spring Boot's carries
 * the observation registry, so every call is timed ({@code http.client.requests}) and, with
 * tracing on, is a client span that continues the exchange's trace and sends {@code traceparent}.
 */
final class BoundedHttp {

    /** What an endpoint answered: any status, its headers, and a body no larger than asked. */
    record Response(int statusCode, HttpHeaders headers, byte[] body) {}

    private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

    private final WebClient client;
    private final Duration timeout;
    private final Executor executor;

    /**
     * Creates the client a verifier keeps for its lifetime. It never follows redirects, so a
     * credential is only ever sent to the configured endpoint.
     *
     * @param builder the builder to start from; cloned, never changed
     * @param timeout the connect timeout, the wait for response headers, and the deadline for
     *     each whole exchange, body included
     * @param executor runs response handling (JSON parsing, signature checks), so none of it
     *     runs on a Netty event loop
     */
    BoundedHttp(WebClient.Builder builder, Duration timeout, Executor executor) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.executor = Objects.requireNonNull(executor, "executor");
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE))
                .responseTimeout(timeout)
                .followRedirect(false);
        this.client = builder.clone().clientConnector(new ReactorClientHttpConnector(http)).build();
    }

    /**
     * Sends a GET without blocking the caller.
     *
     * @param uri the endpoint
     * @param maxBodyBytes the largest response body read
     * @param what names the endpoint in messages, such as {@code "Google's ID-token JWKS https://…"}
     * @param handler turns the response (any status) into the result; runs on the executor
     * @return the result; fails with {@link VerifierUnavailableException} on connection failure,
     *     timeout (body included) or an oversize body, or with whatever the handler throws
     */
    <T> CompletableFuture<T> get(URI uri, int maxBodyBytes, String what, Function<Response, T> handler) {
        return send(client.get().uri(uri).header(HttpHeaders.ACCEPT, "application/json"), maxBodyBytes, what,
                handler);
    }

    /**
     * Sends a form-encoded POST without blocking the caller.
     *
     * @param uri the endpoint
     * @param authorization the {@code Authorization} header
     * @param form the encoded form
     * @param maxBodyBytes the largest response body read
     * @param what names the endpoint in messages
     * @param handler turns the response (any status) into the result; runs on the executor
     * @return the result, failing as {@link #get} does
     */
    <T> CompletableFuture<T> postForm(URI uri, String authorization, String form, int maxBodyBytes, String what,
            Function<Response, T> handler) {
        return send(client.post().uri(uri)
                .header(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(HttpHeaders.ACCEPT, "application/json")
                .header(HttpHeaders.AUTHORIZATION, authorization)
                .bodyValue(form), maxBodyBytes, what, handler);
    }

    private <T> CompletableFuture<T> send(WebClient.RequestHeadersSpec<?> request, int maxBodyBytes, String what,
            Function<Response, T> handler) {
        CompletableFuture<Response> exchange;
        try {
            exchange = request
                    .exchangeToMono(response -> DataBufferUtils.join(response.bodyToFlux(DataBuffer.class), maxBodyBytes)
                            .map(BoundedHttp::bytes)
                            .defaultIfEmpty(new byte[0])
                            .map(body -> new Response(response.statusCode().value(), response.headers().asHttpHeaders(),
                                    body)))
                    // The response timeout covers the wait for headers; this covers a slow body too.
                    .timeout(timeout)
                    // The caller's observation (the gRPC call's, say) becomes the parent of the client span.
                    .contextWrite(SNAPSHOTS.captureAll()::updateContext)
                    .toFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable(what, maxBodyBytes, e));
        }
        return exchange.handleAsync((response, failure) -> {
            if (failure != null) {
                throw unavailable(what, maxBodyBytes, VerifierFailures.unwrap(failure));
            }
            return handler.apply(response);
        }, executor);
    }

    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private static VerifierUnavailableException unavailable(String what, int maxBodyBytes, Throwable failure) {
        Throwable cause = failure instanceof WebClientRequestException request && request.getCause() != null
                ? request.getCause() : failure;
        String problem;
        if (cause instanceof TimeoutException || cause instanceof io.netty.handler.timeout.TimeoutException) {
            problem = "no answer in time";
        } else if (cause instanceof ConnectException) {
            problem = "cannot connect";
        } else if (cause instanceof DataBufferLimitException) {
            problem = "response body: more than " + maxBodyBytes + " bytes (expected: at most " + maxBodyBytes + ")";
        } else if (cause instanceof IOException) {
            problem = "I/O failure: " + cause.getMessage();
        } else {
            problem = "call failed: " + cause;
        }
        return new VerifierUnavailableException(what + ": " + problem, cause);
    }
}
