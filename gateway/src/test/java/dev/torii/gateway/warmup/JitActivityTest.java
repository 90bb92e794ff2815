package dev.torii.gateway.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitActivityTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicLong compiled = new AtomicLong(0);
    private final JitActivity jit = new JitActivity(compiled::get, now::get);

    @Test
    void isNotSettledBeforeAWholeWindowHasPassed() {
        now.addAndGet(999);
        assertThat(jit.settled()).isFalse();
    }

    @Test
    void isSettledAfterAWindowWithLittleCompilation() {
        now.addAndGet(1_000);
        compiled.addAndGet(30);
        assertThat(jit.settled()).isTrue();
    }

    @Test
    void isNotSettledAfterAWindowOfBusyCompilersThenIsOnceTheyIdle() {
        now.addAndGet(1_000);
        compiled.addAndGet(31);
        assertThat(jit.settled()).as("3.1 %% of the window compiling").isFalse();
        now.addAndGet(500);
        assertThat(jit.settled()).as("the next window has only begun").isFalse();
        now.addAndGet(500);
        compiled.addAndGet(5);
        assertThat(jit.settled()).isTrue();
    }

    @Test
    void aLongWindowIsJudgedByItsShare() {
        now.addAndGet(10_000);
        compiled.addAndGet(250);
        assertThat(jit.settled()).isTrue();
    }
}
