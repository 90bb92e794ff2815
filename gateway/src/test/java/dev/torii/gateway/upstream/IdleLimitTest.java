package dev.torii.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class IdleLimitTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    void aStreamQuietForTheWholeLimitEndsWithTheIdleError() {
        StepVerifier.withVirtualTime(() -> limited(Flux.never()))
                .expectSubscription()
                .expectNoEvent(LIMIT.minusMillis(1))
                .thenAwait(Duration.ofMillis(1))
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void eachMessageStartsTheQuietTimeAgain() {
        Sinks.Many<String> upstream = Sinks.many().unicast().onBackpressureBuffer();
        StepVerifier.withVirtualTime(() -> limited(upstream.asFlux()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(8))
                .then(() -> upstream.tryEmitNext("first"))
                .expectNext("first")
                // The first timer fires at 10 s, finds 2 s of quiet and waits the 8 s left.
                .expectNoEvent(Duration.ofSeconds(9))
                .then(() -> upstream.tryEmitNext("second"))
                .expectNext("second")
                .expectNoEvent(Duration.ofSeconds(9))
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aStreamThatEndsInTimeEndsCleanlyAndLeavesNoTimer() {
        VirtualTimeScheduler timers = VirtualTimeScheduler.create();
        StepVerifier.create(IdleLimit.apply(Flux.just("a", "b"), LIMIT, timers,
                        () -> timers.now(TimeUnit.NANOSECONDS), TimeoutException::new))
                .expectNext("a", "b")
                .verifyComplete();
        assertThat(timers.getScheduledTaskCount()).isLessThanOrEqualTo(1);
        timers.advanceTimeBy(LIMIT.multipliedBy(3));
        assertThat(timers.getScheduledTaskCount()).isLessThanOrEqualTo(1);
    }

    @Test
    void theIdleErrorCancelsTheStream() {
        AtomicBoolean cancelled = new AtomicBoolean();
        StepVerifier.withVirtualTime(() -> limited(Flux.<String>never().doOnCancel(() -> cancelled.set(true))))
                .expectSubscription()
                .thenAwait(LIMIT)
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled).isTrue();
    }

    private static Flux<String> limited(Flux<String> messages) {
        VirtualTimeScheduler timers = VirtualTimeScheduler.get();
        return IdleLimit.apply(messages, LIMIT, timers, () -> timers.now(TimeUnit.NANOSECONDS), TimeoutException::new);
    }
}
