package dev.torii.authority.sdk.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Timestamp;
import dev.torii.authority.sdk.VerifiedPrincipal;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ResolveAccessTokenRequest;
import dev.torii.authority.v1.ResolveAccessTokenResponse;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Resolves access tokens against a fake Authority served by a real grpc-java server. */
@Timeout(30)
class AccessTokenResolverIT {

    private final List<String> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void startAuthority() throws IOException {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new FakeAuthority())
                .build()
                .start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
                .build();
    }

    @AfterEach
    void stopAuthority() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void resolvesTheAccessTokenBehindAPrivateToken() throws Exception {
        String accessToken = new AccessTokenResolver(channel).resolve("private-token-of-user-42").get(10, TimeUnit.SECONDS);

        assertThat(accessToken).isEqualTo("idp-access-token-of-user-42");
        assertThat(received).containsExactly("private-token-of-user-42");
    }

    @Test
    void sendsTheTokenOfAVerifiedPrincipal() throws Exception {
        VerifiedPrincipal caller = new VerifiedPrincipal(VerifiedPrincipal.Type.USER, "user-42", Set.of(), Set.of(),
                "jti-1", Instant.now().plusSeconds(300), "private-token-of-user-42");

        assertThat(new AccessTokenResolver(channel).resolve(caller).get(10, TimeUnit.SECONDS))
                .isEqualTo("idp-access-token-of-user-42");
    }

    @ParameterizedTest
    @EnumSource(value = Status.Code.class, names = {"PERMISSION_DENIED", "FAILED_PRECONDITION", "UNAUTHENTICATED"})
    void passesTheAuthoritysRefusalOn(Status.Code code) {
        CompletableFuture<String> result = new AccessTokenResolver(channel).resolve("fail-with-" + code.name());

        ExecutionException failure = catchThrowableOfType(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));

        assertThat(failure.getCause()).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) failure.getCause()).getStatus().getCode()).isEqualTo(code);
    }

    @Test
    void givesUpAtTheDeadline() throws InterruptedException {
        long start = System.nanoTime();
        CompletableFuture<String> result = new AccessTokenResolver(channel, Duration.ofMillis(300)).resolve("hang");

        ExecutionException failure = catchThrowableOfType(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));

        assertThat(((StatusRuntimeException) failure.getCause()).getStatus().getCode())
                .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void cancelsTheCallWhenTheCallerCancels() throws InterruptedException {
        CompletableFuture<String> result = new AccessTokenResolver(channel, Duration.ofSeconds(20)).resolve("hang");
        awaitReceived();

        result.cancel(true);

        assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void treatsAnAnswerWithoutATokenAsAnError() {
        CompletableFuture<String> result = new AccessTokenResolver(channel).resolve("empty");

        ExecutionException failure = catchThrowableOfType(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));

        assertThat(((StatusRuntimeException) failure.getCause()).getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    }

    @Test
    void rejectsNonsenseArguments() {
        assertThatThrownBy(() -> new AccessTokenResolver(channel, Duration.ZERO))
                .hasMessage("timeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new AccessTokenResolver(channel).resolve(""))
                .hasMessage("privateToken is empty (expected: a private token)");
    }

    private void awaitReceived() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(received).isNotEmpty();
    }

    /** Answers by token: a user's token resolves, "fail-with-CODE" fails, "hang" never answers. */
    private final class FakeAuthority extends AuthorityGrpc.AuthorityImplBase {

        @Override
        public void resolveAccessToken(ResolveAccessTokenRequest request,
                StreamObserver<ResolveAccessTokenResponse> response) {
            String token = request.getPrivateToken();
            received.add(token);
            if (token.equals("hang")) {
                Context.current().addListener(context -> cancelled.countDown(), Runnable::run);
            } else if (token.startsWith("fail-with-")) {
                response.onError(Status.fromCode(Status.Code.valueOf(token.substring("fail-with-".length())))
                        .withDescription("refused by the fake Authority").asRuntimeException());
            } else if (token.equals("empty")) {
                response.onNext(ResolveAccessTokenResponse.getDefaultInstance());
                response.onCompleted();
            } else {
                response.onNext(ResolveAccessTokenResponse.newBuilder()
                        .setAccessToken(token.replace("private-token", "idp-access-token"))
                        .setExpireTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 300))
                        .build());
                response.onCompleted();
            }
        }
    }
}
