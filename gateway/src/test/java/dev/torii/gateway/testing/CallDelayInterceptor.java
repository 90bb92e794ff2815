package dev.torii.gateway.testing;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server interceptor that makes a backend slow on demand: a call whose metadata carries
 * {@value #HEADER} (milliseconds) reaches the service only that much later. The wait is a
 * scheduled task, so no gRPC thread sleeps, and a call cancelled meanwhile (its deadline passed,
 * its client went away) never reaches the service. Every delayed call is recorded with the
 * deadline it arrived with and when it was cancelled.
 */
public final class CallDelayInterceptor implements ServerInterceptor, AutoCloseable {

    /** The metadata key that asks for a delay, in milliseconds. */
    public static final String HEADER = "x-test-delay-ms";

    private static final Metadata.Key<String> DELAY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "test-call-delay");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<DelayedCall> calls = new LinkedBlockingQueue<>();

    /**
     * One call that asked for a delay.
     *
     * @param method the full method name
     * @param deadline the time left before the call's deadline when it arrived; empty when it had none
     * @param cancelledAfter completes with the time from arrival to cancellation, if the call is cancelled
     */
    public record DelayedCall(String method, Optional<Duration> deadline, CompletableFuture<Duration> cancelledAfter) {}

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String delay = headers.get(DELAY);
        if (delay == null) {
            return next.startCall(call, headers);
        }
        long arrived = System.nanoTime();
        Context context = Context.current();
        Deadline deadline = context.getDeadline();
        DelayedCall delayed = new DelayedCall(call.getMethodDescriptor().getFullMethodName(),
                Optional.ofNullable(deadline).map(d -> Duration.ofMillis(d.timeRemaining(TimeUnit.MILLISECONDS))),
                new CompletableFuture<>());
        calls.add(delayed);
        context.addListener(c -> delayed.cancelledAfter().complete(Duration.ofNanos(System.nanoTime() - arrived)),
                Runnable::run);
        PendingListener<ReqT> pending = new PendingListener<>();
        scheduler.schedule(() -> {
            if (!context.isCancelled()) {
                context.run(() -> pending.start(next.startCall(call, headers)));
            }
        }, Long.parseLong(delay), TimeUnit.MILLISECONDS);
        return pending;
    }

    /**
     * Waits for the next delayed call to arrive.
     *
     * @param timeout how long to wait
     * @return the call
     * @throws AssertionError when none arrives in time
     */
    public DelayedCall nextCall(Duration timeout) throws InterruptedException {
        DelayedCall call = calls.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (call == null) {
            throw new AssertionError("no call with " + HEADER + " reached the backend within " + timeout);
        }
        return call;
    }

    /**
     * Forgets the calls recorded so far.
     */
    public void clear() {
        calls.clear();
    }

    /**
     * Stops the scheduler; calls still waiting never reach the service.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /**
     * Holds the events gRPC delivers before the service's own listener exists, and hands them
     * over in order once it does. gRPC delivers no message before the service asks for one, so
     * what waits here is at most half-close, readiness, cancellation or completion.
     */
    private static final class PendingListener<ReqT> extends ServerCall.Listener<ReqT> {
        private final List<Runnable> held = new ArrayList<>();
        private ServerCall.Listener<ReqT> delegate;

        synchronized void start(ServerCall.Listener<ReqT> listener) {
            delegate = listener;
            held.forEach(Runnable::run);
            held.clear();
        }

        private synchronized void deliver(Runnable event) {
            if (delegate == null) {
                held.add(event);
            } else {
                event.run();
            }
        }

        @Override
        public void onMessage(ReqT message) {
            deliver(() -> delegate.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            deliver(() -> delegate.onHalfClose());
        }

        @Override
        public void onCancel() {
            deliver(() -> delegate.onCancel());
        }

        @Override
        public void onComplete() {
            deliver(() -> delegate.onComplete());
        }

        @Override
        public void onReady() {
            deliver(() -> delegate.onReady());
        }
    }
}
