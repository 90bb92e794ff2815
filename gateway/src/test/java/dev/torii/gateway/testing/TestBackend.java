package dev.torii.gateway.testing;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.test.v1.EchoResponse;
import dev.torii.gateway.test.v1.FailRequest;
import dev.torii.gateway.test.v1.SleepRequest;
import dev.torii.gateway.test.v1.TestServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC server on an ephemeral port that the gateway tests steer: it echoes what it
 * received, fails with any status, or answers late.
 */
public final class TestBackend implements AutoCloseable {

    private static final Context.Key<Metadata> METADATA = Context.key("test-metadata");

    private final Server server;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicInteger streamed = new AtomicInteger();
    private final java.util.Map<String, AtomicInteger> flaky = new java.util.concurrent.ConcurrentHashMap<>();
    private final String name;
    // Answers of Sleep calls whose delay passed while answers are held; guarded by itself.
    private final java.util.List<Runnable> heldAnswers = new java.util.ArrayList<>();
    private boolean holding;

    private TestBackend(int port, String name) throws IOException {
        this.name = name;
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
                    Metadata headers, ServerCallHandler<ReqT, RespT> next) {
                calls.incrementAndGet();
                ServerCall.Listener<ReqT> listener = Contexts.interceptCall(
                        Context.current().withValue(METADATA, headers), call, headers, next);
                // Counted here, not in the service's cancel handler: a call cancelled before its
                // request has reached the service method never runs that handler.
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                    @Override
                    public void onCancel() {
                        cancelled.incrementAndGet();
                        super.onCancel();
                    }
                };
            }
        };
        this.server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new Service(), capture))
                .build()
                .start();
    }

    /**
     * Starts a backend on an ephemeral port.
     *
     * @return the running backend
     */
    public static TestBackend start() throws IOException {
        return new TestBackend(0, "backend");
    }

    /**
     * Starts a named backend on a given port (0 for an ephemeral one); Echo answers carry the name.
     *
     * @param port the port
     * @param name the name put in {@code served_by}
     * @return the running backend
     */
    public static TestBackend start(int port, String name) throws IOException {
        return new TestBackend(port, name);
    }

    /**
     * Returns the port the backend listens on.
     *
     * @return the port
     */
    public int port() {
        return server.getPort();
    }

    /**
     * Returns how many calls reached the backend.
     *
     * @return the call count
     */
    public int calls() {
        return calls.get();
    }

    /**
     * Returns how many calls were cancelled before they ended.
     *
     * @return the count
     */
    public int cancelled() {
        return cancelled.get();
    }

    /**
     * Returns how many Stream answers the backend handed to gRPC, which it does only while the
     * call's flow-control window has room.
     *
     * @return the count
     */
    public int streamed() {
        return streamed.get();
    }

    /**
     * Holds the answers of Sleep calls: a call whose delay has passed waits until
     * {@link #releaseAnswers()}, so a test decides when slow calls end.
     */
    public void holdAnswers() {
        synchronized (heldAnswers) {
            holding = true;
        }
    }

    /**
     * Sends the held Sleep answers and stops holding new ones; calls still sleeping answer when
     * their delay passes.
     */
    public void releaseAnswers() {
        java.util.List<Runnable> answers;
        synchronized (heldAnswers) {
            holding = false;
            answers = java.util.List.copyOf(heldAnswers);
            heldAnswers.clear();
        }
        answers.forEach(Runnable::run);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Service extends TestServiceGrpc.TestServiceImplBase {

        @Override
        public void echo(EchoRequest request, StreamObserver<EchoResponse> responseObserver) {
            responseObserver.onNext(echoOf(request));
            responseObserver.onCompleted();
        }

        @Override
        public void fail(FailRequest request, StreamObserver<EchoResponse> responseObserver) {
            com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                    .setCode(request.getCode())
                    .setMessage(request.getMessage());
            if (request.getWithDetails()) {
                status.addDetails(Any.pack(BadRequest.newBuilder()
                        .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                                .setField("text").setDescription("too short"))
                        .build()));
            }
            if (request.getWithUnknownDetail()) {
                status.addDetails(Any.newBuilder()
                        .setTypeUrl("type.googleapis.com/acme.secret.v1.Unknown")
                        .setValue(ByteString.copyFromUtf8("opaque"))
                        .build());
            }
            responseObserver.onError(StatusProto.toStatusRuntimeException(status.build()));
        }

        @Override
        public void sleep(SleepRequest request, StreamObserver<EchoResponse> responseObserver) {
            ServerCallStreamObserver<EchoResponse> observer = (ServerCallStreamObserver<EchoResponse>) responseObserver;
            // Lets the service see the cancellation (the interceptor counts it) instead of
            // failing its next onNext.
            observer.setOnCancelHandler(() -> { });
            EchoResponse response = echoOf(EchoRequest.newBuilder().setNumber(request.getMillis()).build());
            Runnable answer = () -> {
                if (!observer.isCancelled()) {
                    observer.onNext(response);
                    observer.onCompleted();
                }
            };
            timer.schedule(() -> {
                synchronized (heldAnswers) {
                    if (holding) {
                        heldAnswers.add(answer);
                        return;
                    }
                }
                answer.run();
            }, request.getMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void flaky(dev.torii.gateway.test.v1.FlakyRequest request, StreamObserver<EchoResponse> responseObserver) {
            int call = flaky.computeIfAbsent(request.getKey(), k -> new AtomicInteger()).incrementAndGet();
            if (call <= request.getFailures()) {
                responseObserver.onError(io.grpc.Status.UNAVAILABLE.withDescription("flaky failure " + call)
                        .asRuntimeException());
                return;
            }
            responseObserver.onNext(echoOf(EchoRequest.newBuilder().setText(request.getKey()).setNumber(call).build()));
            responseObserver.onCompleted();
        }

        // Sends `number` answers (text "<text> <i>", with the request's blob) as fast as flow
        // control lets it, then ends; with `number` 0 it stays open, sending nothing, until the call
        // is cancelled. Tags change the ending: "unavailable-after" fails with UNAVAILABLE after the
        // answers instead of completing; "unavailable-first:<key>" fails the first call with that
        // key with UNAVAILABLE before any answer.
        @Override
        public void stream(EchoRequest request, StreamObserver<EchoResponse> responseObserver) {
            ServerCallStreamObserver<EchoResponse> observer = (ServerCallStreamObserver<EchoResponse>) responseObserver;
            // Lets the service see the cancellation (the interceptor counts it) instead of
            // failing its next onNext.
            observer.setOnCancelHandler(() -> { });
            for (String tag : request.getTagsList()) {
                if (tag.startsWith("unavailable-first:")
                        && flaky.computeIfAbsent(tag, k -> new AtomicInteger()).incrementAndGet() == 1) {
                    observer.onError(io.grpc.Status.UNAVAILABLE.withDescription("first stream call fails")
                            .asRuntimeException());
                    return;
                }
            }
            boolean failAtEnd = request.getTagsList().contains("unavailable-after");
            if (request.getNumber() == 0) {
                return;
            }
            int[] next = {0};
            observer.setOnReadyHandler(() -> {
                while (observer.isReady() && next[0] < request.getNumber() && !observer.isCancelled()) {
                    observer.onNext(echoOf(EchoRequest.newBuilder().setText(request.getText() + " " + next[0])
                            .setNumber(next[0]).setBlob(request.getBlob()).build()));
                    streamed.incrementAndGet();
                    next[0]++;
                }
                if (next[0] == request.getNumber() && !observer.isCancelled()) {
                    next[0]++;
                    if (failAtEnd) {
                        observer.onError(io.grpc.Status.UNAVAILABLE.withDescription("the backend cut the stream")
                                .asRuntimeException());
                    } else {
                        observer.onCompleted();
                    }
                }
            });
        }

        @Override
        public void echoBody(com.google.api.HttpBody request, StreamObserver<com.google.api.HttpBody> responseObserver) {
            responseObserver.onNext(request);
            responseObserver.onCompleted();
        }

        private EchoResponse echoOf(EchoRequest request) {
            EchoResponse.Builder response = EchoResponse.newBuilder()
                    .setServedBy(name)
                    .setText(request.getText())
                    .setNumber(request.getNumber())
                    .setBlob(request.getBlob())
                    .addAllTags(request.getTagsList());
            if (request.hasNested()) {
                response.setNested(request.getNested());
            }
            Metadata metadata = METADATA.get();
            if (metadata != null) {
                for (String key : metadata.keys()) {
                    if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                        response.putMetadata(key, String.join(",",
                                metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))));
                    }
                }
            }
            if (Context.current().getDeadline() != null) {
                response.setDeadlineRemainingMillis(Context.current().getDeadline().timeRemaining(TimeUnit.MILLISECONDS));
            }
            return response.build();
        }
    }
}
