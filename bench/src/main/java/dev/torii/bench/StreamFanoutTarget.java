package dev.torii.bench;

import dev.torii.examples.offer.v1.CreateOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Measures server streaming as messages delivered per second over many open {@code WatchOffers}
 * streams. The offer service streams each offer created to every open watch, and has no other
 * source of messages, so one call here is one {@code CreateOffer} straight on the service; it
 * succeeds once that offer has arrived on every stream. The load's calls in flight thus bound the
 * messages in flight (at most calls times streams): the producer never outruns the streams, and a
 * slow path shows as fewer messages per second, not as a queue growing in the backend.
 *
 * <p>Before each load the streams open and are primed: probe offers are created until every
 * stream has carried one, so no load offer is created before every watch is registered.
 *
 * <p>A closed loop stops when every offer in flight waits for a copy that does not come: a
 * message held somewhere on its way is only pushed out by the next. So a watchdog fails the
 * waiting calls after {@value #STALL_MILLIS} ms without any copy arriving, says on standard
 * error how many messages each stream has received, and lets the load go on: the failures count
 * against the error budget, and the messages after them show whether the held copies come late
 * or never.
 */
final class StreamFanoutTarget implements LoadTarget {

    /** The item of the offers the load creates. */
    static final String LOAD_ITEM = "bench-stream";
    /** The item of the offers that prime the streams. */
    static final String PROBE_ITEM = "bench-stream-probe";

    private static final Duration PRIME_TIMEOUT = Duration.ofSeconds(30);
    private static final long PROBE_INTERVAL_MILLIS = 100;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final long STALL_MILLIS = 2_000;
    private static final int MAX_STALL_REPORTS = 5;
    // Calls straight on the offer service start with at least this much of their token left.
    private static final Duration TOKEN_MARGIN = Duration.ofMinutes(1);

    private final String name;
    private final OfferStreams streams;
    private final int streamCount;
    private final Channel producer;
    private final PrivateTokens tokens;
    private final CreateOfferRequest create;
    private final CreateOfferRequest probe;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private volatile AtomicIntegerArray primed = new AtomicIntegerArray(0);
    private final AtomicInteger primedCount = new AtomicInteger();
    private volatile String broken;
    private volatile boolean open;
    private volatile AtomicLongArray received = new AtomicLongArray(0);
    private volatile long lastArrivalNanos;
    private final AtomicInteger stallReports = new AtomicInteger();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "torii-bench-stream-watchdog");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> watching;

    /**
     * Creates the target; streams open at {@link #beforeLoad}.
     *
     * @param name the name the report uses, such as {@code stream-gateway}
     * @param streams opens the streams one way
     * @param streamCount how many streams are open during a load
     * @param producer a channel straight to the offer service carrying the private token its
     *     CreateOffer requires ({@code tokens}), owned by the caller and used by nothing else
     * @param tokens the private token of the calls straight to the offer service, exchanged
     *     again while a load runs as it nears its expiry
     */
    StreamFanoutTarget(String name, OfferStreams streams, int streamCount, Channel producer, PrivateTokens tokens) {
        this.name = name;
        this.streams = streams;
        this.streamCount = streamCount;
        this.producer = producer;
        this.tokens = tokens;
        this.create = BenchOffer.CREATE.toBuilder().setItemId(LOAD_ITEM).build();
        this.probe = BenchOffer.CREATE.toBuilder().setItemId(PROBE_ITEM).build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int messagesPerCall() {
        return streamCount;
    }

    @Override
    public void beforeLoad() throws InterruptedException {
        tokens.refreshWithin(TOKEN_MARGIN);
        pending.clear();
        broken = null;
        primed = new AtomicIntegerArray(streamCount);
        received = new AtomicLongArray(streamCount);
        stallReports.set(0);
        primedCount.set(0);
        open = true;
        streams.open(streamCount, new OfferStreams.Listener() {
            @Override
            public void received(int stream, Offer offer) {
                if (PROBE_ITEM.equals(offer.getItemId())) {
                    if (primed.compareAndSet(stream, 0, 1)) {
                        primedCount.incrementAndGet();
                    }
                } else if (LOAD_ITEM.equals(offer.getItemId())) {
                    received.incrementAndGet(stream);
                    lastArrivalNanos = System.nanoTime();
                    arrived(offer.getId());
                }
            }

            @Override
            public void ended(int stream, String reason) {
                if (open) {
                    breakWith("stream " + stream + " of " + streamCount + " ended: " + reason);
                }
            }
        });
        long deadline = System.nanoTime() + PRIME_TIMEOUT.toNanos();
        OfferServiceGrpc.OfferServiceBlockingStub stub = OfferServiceGrpc.newBlockingStub(producer);
        while (primedCount.get() < streamCount && broken == null) {
            if (System.nanoTime() > deadline) {
                afterLoad();
                throw new IllegalStateException(name + ": " + primedCount.get() + " of " + streamCount
                        + " streams carried a probe offer within " + PRIME_TIMEOUT.toSeconds()
                        + " s (expected: every stream, as each receives every offer created)");
            }
            stub.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).createOffer(probe);
            Thread.sleep(PROBE_INTERVAL_MILLIS);
        }
        if (broken != null) {
            String reason = broken;
            afterLoad();
            throw new IllegalStateException(name + ": " + reason + " (expected: streams open until cancelled)");
        }
        lastArrivalNanos = System.nanoTime();
        watching = watchdog.scheduleWithFixedDelay(this::checkProgress, STALL_MILLIS / 4, STALL_MILLIS / 4,
                TimeUnit.MILLISECONDS);
    }

    // Fails the calls that wait when no copy has arrived for STALL_MILLIS; see the class comment.
    private void checkProgress() {
        try {
            tokens.refreshWithin(TOKEN_MARGIN);
        } catch (RuntimeException e) {
            System.err.println("torii-bench: " + name + ": exchanging the private token again failed: " + e);
        }
        long quiet = (System.nanoTime() - lastArrivalNanos) / 1_000_000;
        if (!open || pending.isEmpty() || quiet < STALL_MILLIS) {
            return;
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        StringBuilder behind = new StringBuilder();
        AtomicLongArray counts = received;
        for (int i = 0; i < counts.length(); i++) {
            min = Math.min(min, counts.get(i));
            max = Math.max(max, counts.get(i));
        }
        for (int i = 0; i < counts.length(); i++) {
            if (counts.get(i) < max) {
                behind.append(behind.length() == 0 ? "" : ", ").append(i).append(": ").append(counts.get(i));
            }
        }
        String reason = "no offer reached a stream for " + STALL_MILLIS + " ms (expected: each copy within a"
                + " few ms)";
        int failed = 0;
        for (Map.Entry<String, Pending> entry : pending.entrySet()) {
            Outcome outcome = entry.getValue().outcome;
            if (outcome != null && entry.getValue().finish(entry.getKey())) {
                outcome.failed(reason);
                failed++;
            }
        }
        lastArrivalNanos = System.nanoTime();
        if (failed > 0 && stallReports.incrementAndGet() <= MAX_STALL_REPORTS) {
            System.err.printf(Locale.ROOT, "torii-bench: %s: %s; failed the %d waiting calls; messages received"
                    + " per stream: %d to %d%s%n", name, reason, failed, min, max,
                    behind.length() == 0 ? ", every stream the same" : "; streams behind the most: " + behind);
        }
    }

    @Override
    public void afterLoad() {
        open = false;
        if (watching != null) {
            watching.cancel(false);
            watching = null;
        }
        streams.cancel();
        pending.clear();
    }

    @Override
    public void call(Outcome outcome) {
        String reason = broken;
        if (reason != null) {
            outcome.failed(reason);
            return;
        }
        ClientCalls.asyncUnaryCall(producer.newCall(OfferServiceGrpc.getCreateOfferMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)), create,
                new StreamObserver<Offer>() {
                    private Offer offer;

                    @Override
                    public void onNext(Offer value) {
                        offer = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        Status status = Status.fromThrowable(t);
                        outcome.failed("CreateOffer: grpc-status " + status.getCode() + ": "
                                + status.getDescription());
                    }

                    @Override
                    public void onCompleted() {
                        Pending entry = pending.computeIfAbsent(offer.getId(), id -> new Pending());
                        entry.outcome = outcome;
                        entry.arrive(offer.getId());
                        // A stream that broke after this offer's copies were counted cannot deliver the rest.
                        String failure = broken;
                        if (failure != null && entry.finish(offer.getId())) {
                            outcome.failed(failure);
                        }
                    }
                });
    }

    // A copy reached a stream: the offer may even arrive before CreateOffer's answer does.
    private void arrived(String offerId) {
        pending.computeIfAbsent(offerId, id -> new Pending()).arrive(offerId);
    }

    private void breakWith(String reason) {
        if (broken == null) {
            broken = reason;
        }
        for (Map.Entry<String, Pending> entry : pending.entrySet()) {
            Outcome outcome = entry.getValue().outcome;
            if (outcome != null && entry.getValue().finish(entry.getKey())) {
                outcome.failed(reason);
            }
        }
    }

    // An offer on its way: CreateOffer's answer and every stream's copy each count once, in any order.
    private final class Pending {
        private final AtomicInteger arrivals = new AtomicInteger();
        private final AtomicBoolean done = new AtomicBoolean();
        // Set before CreateOffer's answer counts, so whoever counts last sees it.
        private volatile Outcome outcome;

        void arrive(String offerId) {
            if (arrivals.incrementAndGet() == streamCount + 1 && finish(offerId)) {
                outcome.succeeded();
            }
        }

        boolean finish(String offerId) {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            pending.remove(offerId);
            return true;
        }
    }
}
