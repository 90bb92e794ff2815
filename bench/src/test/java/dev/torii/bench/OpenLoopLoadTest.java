package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenLoopLoadTest {

    private final ScheduledExecutorService answers = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() {
        answers.shutdownNow();
    }

    @Test
    void sendsAtTheRateWhateverTheAnswersDoAndTimesEachCallFromWhenItWasDue() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        // Answers in 5 ms, except that every call of the first 200 ms of the recorded part waits
        // for the same stall to end: a closed loop would have sent few calls then, and hidden it.
        long[] stallEnds = {0};
        LoadTarget target = new LoadTarget() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public void call(Outcome outcome) {
                int n = calls.incrementAndGet();
                long now = System.nanoTime();
                long delay = now < stallEnds[0] ? stallEnds[0] - now : TimeUnit.MILLISECONDS.toNanos(5);
                answers.schedule(n % 50 == 0 ? () -> outcome.failed("every 50th") : outcome::succeeded, delay,
                        TimeUnit.NANOSECONDS);
            }
        };
        OpenLoopLoad load = new OpenLoopLoad(target);
        stallEnds[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);

        OpenLoopLoad.Latency latency = load.measure(200, Duration.ofSeconds(1), Duration.ofSeconds(1));

        assertThat(calls.get()).isEqualTo(400);
        assertThat(latency.sent()).isEqualTo(200);
        assertThat(latency.errors()).isEqualTo(4);
        assertThat(latency.latencies().getTotalCount()).isEqualTo(196);
        // The calls due at the start of the stall waited about 200 ms; most answered in 5 ms.
        assertThat(latency.latencies().getMaxValue() / 1e6).isGreaterThan(150.0);
        assertThat(latency.millis(50)).isBetween(5.0, 50.0);
        assertThat(latency.failures()).containsEntry("every 50th", 8L);
    }
}
