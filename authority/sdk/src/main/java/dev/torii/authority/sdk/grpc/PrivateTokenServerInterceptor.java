package dev.torii.authority.sdk.grpc;

import dev.torii.authority.sdk.JwksUnavailableException;
import dev.torii.authority.sdk.PrivateTokenException;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.VerifiedPrincipal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Admits only calls that carry a valid private token in {@code authorization: Bearer <token>}
 * metadata, and makes the verified caller available through {@link ToriiContext#principal()}.
 *
 * <p>Calls without a token, or with a refused one, are closed with {@code UNAUTHENTICATED} and a
 * description saying why; the service never sees them. When the token cannot be judged because
 * the Authority's JWKS is unreachable, the call is closed with {@code UNAVAILABLE} instead, so
 * clients retry rather than drop their credentials. The token is never logged.
 *
 * <p>Threading: grpc-java runs interceptors on the server's application executor, not on a Netty
 * event loop. Verification is CPU work plus, rarely, a JWKS fetch that may block for a few
 * seconds, so keep the default executor or give the server a real one; do not build the server
 * with {@code directExecutor()}.
 *
 * <pre>{@code
 * Server server = ServerBuilder.forPort(50051)
 *         .addService(ServerInterceptors.intercept(new MyService(), new PrivateTokenServerInterceptor(verifier)))
 *         .build();
 * }</pre>
 */
public final class PrivateTokenServerInterceptor implements ServerInterceptor {

    private static final Logger logger = Logger.getLogger(PrivateTokenServerInterceptor.class.getName());

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final String BEARER = "bearer ";

    private final PrivateTokenVerifier verifier;
    private final Set<String> anonymousMethods;

    /**
     * Creates an interceptor that verifies tokens with {@code verifier} on every method.
     *
     * @param verifier the process-wide verifier (it caches the JWKS, so share one)
     */
    public PrivateTokenServerInterceptor(PrivateTokenVerifier verifier) {
        this(verifier, Set.of());
    }

    /**
     * Creates an interceptor that lets calls without any token through to the given methods, as
     * the gateway sends them for routes it serves publicly; {@link ToriiContext#PRINCIPAL} is then
     * unset. A call that does carry a token is verified like any other, on every method.
     *
     * @param verifier the process-wide verifier (it caches the JWKS, so share one)
     * @param anonymousMethods full method names ({@code package.Service/Method}) callable without a token
     */
    public PrivateTokenServerInterceptor(PrivateTokenVerifier verifier, Set<String> anonymousMethods) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.anonymousMethods = Set.copyOf(anonymousMethods);
    }

    /**
     * Verifies the call's private token, then either runs the call with the principal in its
     * {@link Context} or closes it with {@code UNAUTHENTICATED} or {@code UNAVAILABLE}.
     */
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        List<String> values = new ArrayList<>();
        Iterable<String> all = headers.getAll(AUTHORIZATION);
        if (all != null) {
            all.forEach(values::add);
        }
        if (values.isEmpty()) {
            if (anonymousMethods.contains(method)) {
                return next.startCall(call, headers);
            }
            return refuse(call, method, "no authorization metadata (expected: \"Bearer <private token>\")");
        }
        // Two credentials leave it ambiguous which one an upstream proxy checked.
        if (values.size() > 1) {
            return refuse(call, method, values.size() + " authorization metadata entries (expected: exactly one)");
        }
        String value = values.get(0);
        // RFC 6750 scheme names are case-insensitive.
        if (value.length() <= BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return refuse(call, method, "authorization metadata is not a Bearer credential"
                    + " (expected: \"Bearer <private token>\")");
        }
        VerifiedPrincipal principal;
        try {
            principal = verifier.verify(value.substring(BEARER.length()).strip());
        } catch (PrivateTokenException e) {
            return refuse(call, method, e.getMessage());
        } catch (JwksUnavailableException e) {
            logger.log(Level.WARNING, "cannot verify a call to {0}: {1}", new Object[] {method, e.getMessage()});
            call.close(Status.UNAVAILABLE.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        Context withPrincipal = Context.current().withValue(ToriiContext.PRINCIPAL, principal);
        return Contexts.interceptCall(withPrincipal, call, headers, next);
    }

    /** Closes {@code call} as unauthenticated; refusals are routine, so they log at FINE only. */
    private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, String method,
            String reason) {
        logger.log(Level.FINE, "refused a call to {0}: {1}", new Object[] {method, reason});
        call.close(Status.UNAUTHENTICATED.withDescription(reason), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
