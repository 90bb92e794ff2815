package dev.torii.authority.verify;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Calls an identity provider or key endpoint with the JDK {@link HttpClient}, asynchronously,
 * within a deadline and a response size limit, turning every transport failure into {@link
 * VerifierUnavailableException}.
 */
final class BoundedHttp {

    private final HttpClient client;
    private final Duration timeout;
    private final Executor executor;

    /**
     * Creates the client a verifier keeps for its lifetime. It never follows redirects, so a
     * credential is only ever sent to the configured endpoint.
     *
     * @param timeout the connect timeout, and the deadline for each whole exchange
     * @param executor runs response handling (JSON parsing, signature checks): the JDK client
     *     would otherwise complete on the common pool, which is a thread per task on small machines
     */
    BoundedHttp(Duration timeout, Executor executor) {
        this.timeout = timeout;
        this.executor = executor;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /**
     * Starts building a request with the deadline already set, so the exchange is abandoned by
     * the client too and not merely ignored.
     *
     * @param uri the endpoint
     * @return the builder
     */
    HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(timeout);
    }

    /**
     * Sends a request without blocking the caller.
     *
     * @param request the request
     * @param maxBodyBytes the largest response body read
     * @param what names the endpoint in messages, such as {@code "introspection endpoint https://…"}
     * @param handler turns the response (any status) into the result; runs on the executor
     * @return the result; fails with {@link VerifierUnavailableException} on connection failure,
     *     timeout (body included) or an oversize body, or with whatever the handler throws
     */
    <T> CompletableFuture<T> send(HttpRequest request, int maxBodyBytes, String what,
            Function<HttpResponse<byte[]>, T> handler) {
        CompletableFuture<HttpResponse<byte[]>> exchange;
        try {
            exchange = client.sendAsync(request, limitedTo(maxBodyBytes));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable(what, e));
        }
        // The request timeout only covers the wait for response headers; this one covers a slow body too.
        return exchange.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handleAsync((response, failure) -> {
            if (failure != null) {
                exchange.cancel(true);
                throw unavailable(what, VerifierFailures.unwrap(failure));
            }
            return handler.apply(response);
        }, executor);
    }

    private static VerifierUnavailableException unavailable(String what, Throwable cause) {
        String problem;
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            problem = "no answer in time";
        } else if (cause instanceof ConnectException) {
            problem = "cannot connect";
        } else if (cause instanceof IOException) {
            problem = "I/O failure: " + cause.getMessage();
        } else {
            problem = "call failed: " + cause;
        }
        return new VerifierUnavailableException(what + ": " + problem, cause);
    }

    /**
     * Returns a body handler that reads response bodies up to a size limit and fails beyond it,
     * so a broken or hostile endpoint cannot make the Authority buffer without bound.
     *
     * @param maxBodyBytes the largest body accepted
     * @return the handler
     */
    static BodyHandler<byte[]> limitedTo(int maxBodyBytes) {
        return responseInfo -> new LimitedBody(BodySubscribers.ofByteArray(), maxBodyBytes);
    }

    private static final class LimitedBody implements BodySubscriber<byte[]> {

        private final BodySubscriber<byte[]> delegate;
        private final long maxBytes;
        private long received;
        private boolean exceeded;
        private Flow.Subscription subscription;

        LimitedBody(BodySubscriber<byte[]> delegate, long maxBytes) {
            this.delegate = delegate;
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return delegate.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            delegate.onSubscribe(subscription);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (exceeded) {
                return;
            }
            for (ByteBuffer item : items) {
                received += item.remaining();
            }
            if (received > maxBytes) {
                exceeded = true;
                subscription.cancel();
                delegate.onError(new IOException("response body: more than " + maxBytes
                        + " bytes (expected: at most " + maxBytes + ")"));
                return;
            }
            delegate.onNext(items);
        }

        @Override
        public void onError(Throwable throwable) {
            if (!exceeded) {
                delegate.onError(throwable);
            }
        }

        @Override
        public void onComplete() {
            if (!exceeded) {
                delegate.onComplete();
            }
        }
    }
}
