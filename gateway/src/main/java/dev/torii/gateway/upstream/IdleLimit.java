package dev.torii.gateway.upstream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Ends a stream that goes too long without a message, as {@link Flux#timeout(Duration)} does, at a
 * fraction of its cost on a busy stream: {@code timeout} schedules a timer and cancels it for
 * every message (a tenth of a busy stream's CPU in the profile, most of it in the scheduler's
 * queue), while this notes the time of each message and keeps one timer per stream, which, when
 * it fires, ends the stream if the stream has been quiet for the whole limit or waits again for
 * the time that is left.
 */
final class IdleLimit {

    private IdleLimit() {}

    /**
     * Limits how long a stream may go without a message.
     *
     * @param messages the stream
     * @param limit the longest quiet time, counted from the subscription and from each message
     * @param timers where the timer runs
     * @param nanoClock a monotonic clock in nanoseconds, such as {@link System#nanoTime()}
     * @param idle the error that ends a stream that was quiet for the whole limit
     * @param <T> the message type
     * @return the stream, failing with {@code idle} once it goes quiet for {@code limit}
     */
    static <T> Flux<T> apply(Flux<T> messages, Duration limit, Scheduler timers, LongSupplier nanoClock,
            Supplier<? extends Throwable> idle) {
        long limitNanos = limit.toNanos();
        return Flux.defer(() -> {
            AtomicLong lastMessage = new AtomicLong(nanoClock.getAsLong());
            AtomicBoolean expired = new AtomicBoolean();
            // Signals once the stream has been quiet for the whole limit. takeUntilOther cancels
            // the stream (and so the upstream call) on that signal; it would not on an error.
            Mono<Boolean> quiet = Mono.create(sink -> {
                Disposable.Swap timer = Disposables.swap();
                sink.onDispose(timer);
                Runnable check = new Runnable() {
                    @Override
                    public void run() {
                        long left = limitNanos - (nanoClock.getAsLong() - lastMessage.get());
                        if (left <= 0) {
                            expired.set(true);
                            sink.success(true);
                        } else {
                            timer.update(timers.schedule(this, left, TimeUnit.NANOSECONDS));
                        }
                    }
                };
                timer.update(timers.schedule(check, limitNanos, TimeUnit.NANOSECONDS));
            });
            return messages.doOnNext(message -> lastMessage.lazySet(nanoClock.getAsLong()))
                    .takeUntilOther(quiet)
                    .concatWith(Mono.defer(() -> expired.get() ? Mono.error(idle) : Mono.empty()));
        });
    }
}
