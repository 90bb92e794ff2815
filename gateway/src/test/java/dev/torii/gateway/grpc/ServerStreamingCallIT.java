package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.test.v1.EchoResponse;
import dev.torii.gateway.testing.TestBackend;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * The streaming call below the protocols, against a real gRPC backend: only as many messages as
 * demanded (the backend held back by gRPC's window), cancellation reaching the backend, and a
 * deadline ending the stream with its status.
 */
class ServerStreamingCallIT {

    private static final MethodDescriptor<byte[], byte[]> STREAM = ByteArrayMarshaller.method(
            "torii.test.v1.TestService/Stream", MethodDescriptor.MethodType.SERVER_STREAMING);
    // 20,000 answers of about 1 KiB: 20 MiB, twenty times gRPC's default 1 MiB window.
    private static final int MESSAGES = 20_000;
    private static final String KIBIBYTE = "x".repeat(1024);

    private TestBackend backend;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", backend.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        backend.close();
    }

    @Test
    void aSlowSubscriberHoldsTheBackendBack() throws Exception {
        Recorder recorder = new Recorder(1);
        call(EchoRequest.newBuilder().setText(KIBIBYTE).setNumber(MESSAGES), CallOptions.DEFAULT).subscribe(recorder);

        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.get() == 1);
        Thread.sleep(500);
        assertThat(recorder.received.get()).as("one demanded, one delivered").isEqualTo(1);
        assertThat(backend.streamed()).as("the backend is held back by the window, not buffered without bound")
                .isLessThan(MESSAGES / 4);

        recorder.more(Long.MAX_VALUE);
        await().atMost(Duration.ofSeconds(20)).until(recorder.completed::get);
        assertThat(recorder.received.get()).isEqualTo(MESSAGES);
        assertThat(recorder.failure.get()).isNull();
    }

    @Test
    void cancellingTheSubscriptionCancelsTheUpstreamCall() {
        Recorder recorder = new Recorder(Long.MAX_VALUE);
        call(EchoRequest.newBuilder().setNumber(0), CallOptions.DEFAULT).subscribe(recorder);
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.calls() == 1);

        recorder.dispose();
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.cancelled() == 1);
    }

    @Test
    void theDeadlineEndsTheStreamWithItsStatus() {
        Recorder recorder = new Recorder(Long.MAX_VALUE);
        call(EchoRequest.newBuilder().setNumber(0), CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS))
                .subscribe(recorder);

        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.failure.get() != null);
        assertThat(recorder.failure.get()).isInstanceOfSatisfying(UpstreamCallException.class,
                failure -> assertThat(failure.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(recorder.completed.get()).isFalse();
    }

    private reactor.core.publisher.Flux<byte[]> call(EchoRequest.Builder request, CallOptions options) {
        return ServerStreamingCall.call(channel, STREAM, options, new Metadata(), request.build().toByteArray(),
                new CallMetadata());
    }

    private static final class Recorder extends BaseSubscriber<byte[]> {
        private final long initialDemand;
        private final AtomicInteger received = new AtomicInteger();
        private final AtomicBoolean completed = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Recorder(long initialDemand) {
            this.initialDemand = initialDemand;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(initialDemand);
        }

        @Override
        protected void hookOnNext(byte[] message) {
            try {
                EchoResponse answer = EchoResponse.parseFrom(message);
                if (answer.getNumber() != received.get()) {
                    failure.set(new AssertionError("answer " + answer.getNumber() + " out of order"));
                }
                received.incrementAndGet();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                failure.set(e);
            }
        }

        @Override
        protected void hookOnComplete() {
            completed.set(true);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            failure.set(throwable);
        }

        void more(long n) {
            request(n);
        }
    }
}
