package dev.torii.gateway.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Tells whether the JIT compilers have caught up with the warm-up, from the time they spent
 * compiling ({@link CompilationMXBean}): settled when, over the last window, they compiled for
 * less than a small share of it. Calls alone are the wrong measure on a busy machine: the
 * compilers share the cores with the calls, and measured on 2 shared cores their queue still held
 * dozens of methods when 18,000 calls had been answered, so the gateway kept getting faster for
 * half a minute after it said ready.
 */
final class JitActivity {

    /** How long the compilers must have been nearly idle. */
    static final Duration WINDOW = Duration.ofSeconds(1);
    // A method or two a second is the background of a running JVM, not a backlog.
    private static final double IDLE_SHARE = 0.03;

    private final LongSupplier compileMillis;
    private final LongSupplier nowMillis;
    private long windowStartedAt;
    private long compiledBefore;

    JitActivity(LongSupplier compileMillis, LongSupplier nowMillis) {
        this.compileMillis = compileMillis;
        this.nowMillis = nowMillis;
        restart();
    }

    /**
     * Follows this JVM's compilers, or, where the JVM does not measure compilation time, reports
     * them settled at once, so the call budget alone ends the warm-up.
     *
     * @return the activity
     */
    static JitActivity ofThisJvm() {
        CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
        if (compilation == null || !compilation.isCompilationTimeMonitoringSupported()) {
            return new JitActivity(() -> 0, System::currentTimeMillis);
        }
        return new JitActivity(compilation::getTotalCompilationTime, System::currentTimeMillis);
    }

    /**
     * Tells whether the compilers were nearly idle over the window that just ended, and starts
     * the next window when it has ended.
     *
     * @return true once a whole window passed with compilation below the idle share
     */
    boolean settled() {
        long now = nowMillis.getAsLong();
        long elapsed = now - windowStartedAt;
        if (elapsed < WINDOW.toMillis()) {
            return false;
        }
        long compiled = compileMillis.getAsLong() - compiledBefore;
        restart();
        return compiled <= elapsed * IDLE_SHARE;
    }

    private void restart() {
        windowStartedAt = nowMillis.getAsLong();
        compiledBefore = compileMillis.getAsLong();
    }
}
