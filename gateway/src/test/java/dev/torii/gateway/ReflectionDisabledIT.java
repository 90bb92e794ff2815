package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway as it starts by default, reflection off: grpc-java's reflection client gets
 * UNIMPLEMENTED, what grpcurl reads as "the server does not support the reflection API". No
 * backend runs: reflection never reaches one.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReflectionDisabledIT {

    @Autowired
    private Environment environment;

    private ManagedChannel channel;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) {
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        // Protected routes need an Authority to be configured; nothing here calls it.
        registry.add("torii.gateway.authority.target", () -> "localhost:1");
        registry.add("management.server.port", () -> "0");
    }

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("localhost", environment.getRequiredProperty("local.server.port",
                Integer.class)).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void reflectionIsUnimplemented() throws InterruptedException {
        Object answer = firstAnswer(ServerReflectionGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                ::serverReflectionInfo, ServerReflectionRequest.newBuilder().setListServices("").build());

        assertThat(answer).isInstanceOf(StatusRuntimeException.class);
        Status status = ((StatusRuntimeException) answer).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(status.getDescription()).contains("server reflection is off");
    }

    @Test
    @SuppressWarnings("deprecation") // v1alpha is what grpcurl and Postman still ask first
    void theOlderV1AlphaNameIsUnimplementedToo() throws InterruptedException {
        Object answer = firstAnswer(io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS)::serverReflectionInfo,
                io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());

        assertThat(answer).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) answer).getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    // Sends one request, half-closes, and returns the first thing the stream delivers.
    private static <Q, A> Object firstAnswer(Function<StreamObserver<A>, StreamObserver<Q>> open, Q request)
            throws InterruptedException {
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<Q> requests = open.apply(new ReflectionIT.Collector<>(answers));
        requests.onNext(request);
        requests.onCompleted();
        return answers.poll(10, TimeUnit.SECONDS);
    }
}
