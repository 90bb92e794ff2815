package dev.torii.authority.exchange;

import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ExchangeTokenRequest;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.v1.ResolveAccessTokenRequest;
import dev.torii.authority.v1.ResolveAccessTokenResponse;
import dev.torii.authority.verify.CredentialNotAllowedException;
import dev.torii.authority.verify.CredentialRejectedException;
import dev.torii.authority.verify.VerifierUnavailableException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the {@code torii.authority.v1.Authority} gRPC contract, mapping each failure to the
 * status the contract promises: INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED,
 * FAILED_PRECONDITION or UNAVAILABLE.
 */
public final class AuthorityGrpcService extends AuthorityGrpc.AuthorityImplBase {

    private static final Logger log = LoggerFactory.getLogger(AuthorityGrpcService.class);

    private final TokenExchanger exchanger;
    private final AccessTokenResolution resolution;

    /**
     * Creates the service.
     *
     * @param exchanger exchanges credentials
     * @param resolution resolves private tokens
     */
    public AuthorityGrpcService(TokenExchanger exchanger, AccessTokenResolution resolution) {
        this.exchanger = exchanger;
        this.resolution = resolution;
    }

    @Override
    public void exchangeToken(ExchangeTokenRequest request, StreamObserver<ExchangeTokenResponse> responseObserver) {
        reply(exchanger.exchange(request.getSubjectToken(), request.getSubjectTokenType(), request.getAudience()),
                responseObserver);
    }

    @Override
    public void resolveAccessToken(ResolveAccessTokenRequest request,
            StreamObserver<ResolveAccessTokenResponse> responseObserver) {
        reply(resolution.resolve(request.getPrivateToken()), responseObserver);
    }

    private static <T> void reply(CompletableFuture<T> result, StreamObserver<T> observer) {
        result.whenComplete((value, failure) -> {
            if (failure == null) {
                observer.onNext(value);
                observer.onCompleted();
            } else {
                observer.onError(status(TokenExchanger.unwrap(failure)).asRuntimeException());
            }
        });
    }

    /**
     * Maps a failure to the gRPC status of the contract.
     *
     * @param failure the failure
     * @return the status, with a message that never contains a credential
     */
    static Status status(Throwable failure) {
        if (failure instanceof InvalidExchangeRequestException) {
            return Status.INVALID_ARGUMENT.withDescription(failure.getMessage());
        }
        if (failure instanceof CredentialRejectedException) {
            return Status.UNAUTHENTICATED.withDescription(failure.getMessage());
        }
        if (failure instanceof CredentialNotAllowedException || failure instanceof AudienceNotAllowedException) {
            return Status.PERMISSION_DENIED.withDescription(failure.getMessage());
        }
        if (failure instanceof AccessTokenResolution.NoAccessTokenException) {
            return Status.FAILED_PRECONDITION.withDescription(failure.getMessage());
        }
        if (failure instanceof VerifierUnavailableException) {
            log.warn("credential could not be verified now: {}", failure.getMessage());
            return Status.UNAVAILABLE.withDescription(failure.getMessage());
        }
        log.error("unexpected failure in the Authority", failure);
        return Status.INTERNAL.withDescription("internal Authority error");
    }
}
