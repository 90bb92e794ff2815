package dev.torii.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.LoopResources;

/**
 * A channel per event loop against a real gRPC server: each loop's calls go out on a connection
 * of their own and are answered on the loop that started them.
 */
class LoopLocalChannelTest {

    private final LoopResources resources = LoopResources.create("test-loops", 3, true);
    private final Set<SocketAddress> clients = ConcurrentHashMap.newKeySet();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        ServerInterceptor remember = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                clients.add(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
                return next.startCall(call, headers);
            }
        };
        server = ServerBuilder.forPort(0)
                .addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), remember))
                .build().start();
        channel = new UpstreamEventLoops(() -> resources).build("localhost:" + server.getPort(),
                InsecureChannelCredentials.create(), builder -> builder.directExecutor());
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        resources.dispose();
    }

    @Test
    void eachLoopCallsOnItsOwnConnectionAndIsAnsweredOnItsOwnThread() throws Exception {
        assertThat(channel).isInstanceOf(LoopLocalChannel.class);
        List<EventLoop> loops = new ArrayList<>();
        resources.onServer(true).forEach(executor -> loops.add((EventLoop) executor));
        assertThat(loops).hasSize(3);

        for (EventLoop loop : loops) {
            for (int i = 0; i < 2; i++) {
                CompletableFuture<Boolean> answeredOnLoop = new CompletableFuture<>();
                loop.execute(() -> HealthGrpc.newStub(channel).check(HealthCheckRequest.getDefaultInstance(),
                        new StreamObserver<>() {
                            @Override
                            public void onNext(HealthCheckResponse response) {
                                answeredOnLoop.complete(loop.inEventLoop());
                            }

                            @Override
                            public void onError(Throwable error) {
                                answeredOnLoop.completeExceptionally(error);
                            }

                            @Override
                            public void onCompleted() {}
                        }));
                assertThat(answeredOnLoop.get(10, TimeUnit.SECONDS)).as("answered on the calling loop").isTrue();
            }
        }

        assertThat(clients).as("one connection per loop").hasSize(3);
    }

    @Test
    void aCallFromOffTheLoopsIsServedToo() {
        HealthCheckResponse answer = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());

        assertThat(answer.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);
    }

    @Test
    void itsStateIsTheBestOfItsConnectionsAndShutdownOnlyWhenAllAre() throws InterruptedException {
        assertThat(channel.getState(false)).isEqualTo(ConnectivityState.IDLE);

        channel.getState(true);
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
        assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);

        channel.shutdown();
        assertThat(channel.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(channel.isShutdown()).isTrue();
        assertThat(channel.getState(false)).isEqualTo(ConnectivityState.SHUTDOWN);
    }
}
