package dev.torii.authority.verify;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for verifier futures in tests, with a bound so a hung verifier fails the test. */
final class Outcomes {

    private Outcomes() {}

    static <T> T valueOf(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no outcome within 10s", e);
        }
    }

    static Throwable failureOf(CompletableFuture<?> future) {
        Object value;
        try {
            value = future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no outcome within 10s", e);
        }
        throw new AssertionError("expected a failure, got " + value);
    }
}
