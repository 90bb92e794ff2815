package dev.torii.authority.verify;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;

/**
 * Settles a verifier's future on exactly one of the three outcomes {@link CredentialVerifier}
 * promises, and logs it by fingerprint only.
 */
final class VerifierFailures {

    private VerifierFailures() {}

    /**
     * Returns a future that completes like {@code outcome}, except that it fails with the bare
     * verdict exception (never a {@link CompletionException} wrapper), and that any other
     * failure, such as a bug, becomes {@link VerifierUnavailableException}: an unexplained
     * failure must not tell a client its credential is bad, nor be cached as if it were.
     *
     * @param outcome the verifier's raw result
     * @param verifier the verifier's name, for messages and logs
     * @param credential the credential, only to log its fingerprint
     * @param log where to log
     * @return the settled future
     */
    static <T> CompletableFuture<T> settle(CompletableFuture<T> outcome, String verifier, String credential,
            Logger log) {
        CompletableFuture<T> settled = new CompletableFuture<>();
        outcome.whenComplete((value, failure) -> {
            if (failure == null) {
                settled.complete(value);
                return;
            }
            Throwable cause = unwrap(failure);
            if (cause instanceof CredentialRejectedException || cause instanceof CredentialNotAllowedException) {
                if (log.isDebugEnabled()) {
                    log.debug("{}: credential {} refused: {}", verifier, CredentialChecks.fingerprint(credential),
                            cause.getMessage());
                }
                settled.completeExceptionally(cause);
            } else if (cause instanceof VerifierUnavailableException) {
                log.warn("{}: credential {} could not be verified now: {}", verifier,
                        CredentialChecks.fingerprint(credential), cause.getMessage());
                settled.completeExceptionally(cause);
            } else {
                log.error("{}: credential {} could not be verified: unexpected failure", verifier,
                        CredentialChecks.fingerprint(credential), cause);
                settled.completeExceptionally(new VerifierUnavailableException(
                        verifier + ": unexpected failure " + cause.getClass().getName(), cause));
            }
        });
        return settled;
    }

    /**
     * Removes the wrappers {@link CompletableFuture} puts around a failure.
     *
     * @param failure the failure as a dependent stage sees it
     * @return the underlying failure
     */
    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
