package dev.torii.gateway.auth;

import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ExchangeTokenRequest;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.gateway.observe.GatewayMetrics;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Calls the Authority's {@code ExchangeToken} over one long-lived channel, asynchronously, with a
 * deadline that is the request's own budget or the configured timeout, whichever ends first.
 */
public final class AuthorityClient {

    private final ManagedChannel channel;
    private final Duration timeout;
    private final LongAdder calls = new LongAdder();
    private final GatewayMetrics metrics;

    /**
     * Creates the client.
     *
     * @param channel the channel to the Authority, owned by the caller
     * @param timeout the longest one exchange may take
     * @param metrics records each exchange's latency and outcome
     */
    public AuthorityClient(ManagedChannel channel, Duration timeout, GatewayMetrics metrics) {
        this.channel = channel;
        this.timeout = timeout;
        this.metrics = metrics;
    }

    /**
     * Exchanges a credential for a private token. The credential's type is left unspecified: the
     * Authority tells a Google service-account JWT from a user access token by its own rule, kept
     * in one place there.
     *
     * @param credential the client's credential
     * @param audience the backend service the token is for
     * @param requestDeadline the deadline of the client request being served
     * @param headers metadata to send along (the trace context), possibly empty
     * @return the answer, or a {@link io.grpc.StatusRuntimeException}
     */
    public CompletableFuture<ExchangeTokenResponse> exchange(String credential, String audience,
            Deadline requestDeadline, Metadata headers) {
        calls.increment();
        Deadline own = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
        CallOptions options = CallOptions.DEFAULT.withDeadline(requestDeadline.isBefore(own) ? requestDeadline : own);
        CompletableFuture<ExchangeTokenResponse> result = new CompletableFuture<>();
        ExchangeTokenRequest request = ExchangeTokenRequest.newBuilder()
                .setSubjectToken(credential).setAudience(audience).build();
        io.grpc.Channel target = headers.keys().isEmpty() ? channel
                : ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        long started = System.nanoTime();
        ClientCalls.asyncUnaryCall(target.newCall(AuthorityGrpc.getExchangeTokenMethod(), options), request,
                new StreamObserver<>() {
                    @Override
                    public void onNext(ExchangeTokenResponse value) {
                        metrics.authorityExchange(Status.Code.OK, System.nanoTime() - started);
                        result.complete(value);
                    }

                    @Override
                    public void onError(Throwable failure) {
                        metrics.authorityExchange(Status.fromThrowable(failure).getCode(), System.nanoTime() - started);
                        result.completeExceptionally(failure);
                    }

                    @Override
                    public void onCompleted() {
                        // onNext completed the future.
                    }
                });
        return result;
    }

    /**
     * Returns how many exchanges were sent to the Authority, for metrics and tests.
     *
     * @return the count
     */
    public long calls() {
        return calls.sum();
    }
}
