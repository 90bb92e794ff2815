package dev.torii.authority.sdk.grpc;

import dev.torii.authority.sdk.VerifiedPrincipal;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ResolveAccessTokenRequest;
import dev.torii.authority.v1.ResolveAccessTokenResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks the Authority for the user's original access token behind a private token
 * ({@code torii.authority.v1.Authority/ResolveAccessToken}), for backends that must call a legacy
 * API on the user's behalf.
 *
 * <p>Calls are asynchronous and never block the caller. A failed call completes the future with a
 * {@link StatusRuntimeException} whose code tells what happened, as documented in
 * {@code authority.proto}:
 * <ul>
 *   <li>{@code PERMISSION_DENIED}: this backend is not on the Authority's allow-list;
 *   <li>{@code FAILED_PRECONDITION}: the token belongs to a service account, which has no access
 *       token;
 *   <li>{@code UNAUTHENTICATED}: the private token is bad or expired;
 *   <li>{@code DEADLINE_EXCEEDED} or {@code UNAVAILABLE}: the Authority did not answer in time.
 * </ul>
 * Cancelling the returned future cancels the call.
 *
 * <pre>{@code
 * ManagedChannel authority = Grpc.newChannelBuilder("dns:///authority:9090", InsecureChannelCredentials.create())
 *         .build();
 * AccessTokenResolver resolver = new AccessTokenResolver(authority);
 * resolver.resolve(ToriiContext.principal()).thenAccept(accessToken -> callLegacyApi(accessToken));
 * }</pre>
 */
public final class AccessTokenResolver {

    /** Deadline of each call unless another is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final Channel channel;
    private final Duration timeout;

    /**
     * Creates a resolver whose calls have a deadline of {@link #DEFAULT_TIMEOUT}.
     *
     * @param channel a long-lived channel to the Authority's gRPC port; the resolver does not own
     *     or close it
     */
    public AccessTokenResolver(Channel channel) {
        this(channel, DEFAULT_TIMEOUT);
    }

    /**
     * Creates a resolver whose calls have a deadline of {@code timeout} (or the deadline of the
     * calling gRPC {@code Context}, if that is sooner).
     *
     * @param channel a long-lived channel to the Authority's gRPC port; the resolver does not own
     *     or close it
     * @param timeout the deadline of each call, counted from when it starts
     */
    public AccessTokenResolver(Channel channel, Duration timeout) {
        this.channel = Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.timeout = timeout;
    }

    /**
     * Resolves the access token behind the private token of {@code principal}.
     *
     * @param principal a caller verified by this process, usually {@link ToriiContext#principal()}
     * @return the user's access token, or a {@link StatusRuntimeException} from the Authority
     */
    public CompletableFuture<String> resolve(VerifiedPrincipal principal) {
        return resolve(Objects.requireNonNull(principal, "principal").token());
    }

    /**
     * Resolves the access token behind {@code privateToken}.
     *
     * @param privateToken a private token this backend received, without a "Bearer " prefix
     * @return the user's access token, or a {@link StatusRuntimeException} from the Authority
     */
    public CompletableFuture<String> resolve(String privateToken) {
        Objects.requireNonNull(privateToken, "privateToken");
        if (privateToken.isEmpty()) {
            throw new IllegalArgumentException("privateToken is empty (expected: a private token)");
        }
        ClientCall<ResolveAccessTokenRequest, ResolveAccessTokenResponse> call = channel.newCall(
                AuthorityGrpc.getResolveAccessTokenMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS));
        CompletableFuture<String> result = new CompletableFuture<>();
        result.whenComplete((token, failure) -> {
            if (result.isCancelled()) {
                call.cancel("the caller cancelled ResolveAccessToken", null);
            }
        });
        ClientCalls.asyncUnaryCall(call, ResolveAccessTokenRequest.newBuilder().setPrivateToken(privateToken).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(ResolveAccessTokenResponse response) {
                        if (response.getAccessToken().isEmpty()) {
                            result.completeExceptionally(Status.INTERNAL
                                    .withDescription("ResolveAccessToken answered without an access_token")
                                    .asRuntimeException());
                        } else {
                            result.complete(response.getAccessToken());
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        // A unary call has delivered its one response (or an error) by now.
                    }
                });
        return result;
    }
}
