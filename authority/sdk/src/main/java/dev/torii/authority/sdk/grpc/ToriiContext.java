package dev.torii.authority.sdk.grpc;

import dev.torii.authority.sdk.VerifiedPrincipal;
import io.grpc.Context;

/**
 * Gives service code the caller that {@link PrivateTokenServerInterceptor} verified for the
 * current call.
 */
public final class ToriiContext {

    /**
     * The verified caller of the current call. Holds a value only inside calls that passed
     * {@link PrivateTokenServerInterceptor}; {@code PRINCIPAL.get()} returns null elsewhere, for
     * code that serves both authenticated and unauthenticated methods.
     */
    public static final Context.Key<VerifiedPrincipal> PRINCIPAL = Context.key("torii-verified-principal");

    private ToriiContext() {
    }

    /**
     * Returns the verified caller of the current call.
     *
     * @return the principal the interceptor verified
     * @throws IllegalStateException if the current call did not pass through
     *     {@link PrivateTokenServerInterceptor} (or this runs on a thread the call's
     *     {@link Context} was not propagated to)
     */
    public static VerifiedPrincipal principal() {
        VerifiedPrincipal principal = PRINCIPAL.get();
        if (principal == null) {
            throw new IllegalStateException("no VerifiedPrincipal in the current gRPC Context (expected: a call"
                    + " intercepted by PrivateTokenServerInterceptor, on its own thread or a Context-wrapped"
                    + " executor)");
        }
        return principal;
    }
}
