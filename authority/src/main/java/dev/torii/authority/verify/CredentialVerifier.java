package dev.torii.authority.verify;

import java.util.concurrent.CompletableFuture;

/**
 * Verifies one kind of subject credential. Implementations never block the calling thread on
 * the network and never log the credential.
 *
 * <p>The returned future completes with the verified subject, or exceptionally with exactly one
 * of: {@link CredentialRejectedException} (the credential is bad), {@link
 * CredentialNotAllowedException} (it is good but its holder may not have private tokens), or
 * {@link VerifierUnavailableException} (the identity provider or a key endpoint cannot be reached
 * now). Callers depend on that difference.
 */
public interface CredentialVerifier {

    /**
     * Verifies a credential.
     *
     * @param credential the raw credential, without a "Bearer " prefix
     * @return the subject, or one of the three documented failures
     */
    CompletableFuture<VerifiedSubject> verify(String credential);

    /**
     * Names the verifier for logs and the status page, such as {@code introspection}.
     *
     * @return a short name
     */
    String name();
}
