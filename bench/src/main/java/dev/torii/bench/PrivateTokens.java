package dev.torii.bench;

import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.CredentialType;
import dev.torii.authority.v1.ExchangeTokenRequest;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Holds the private token calls straight to a verifying offer service need, exchanged at the
 * Authority the way the gateway does, and attaches it to channels. Tokens live minutes (five by
 * default), shorter than a run, so the holder exchanges again as the token nears its expiry.
 */
final class PrivateTokens {

    /** The audience of the offer service's private tokens. */
    static final String AUDIENCE = OfferServiceGrpc.SERVICE_NAME;

    private static final long TIMEOUT_SECONDS = 10;
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Channel authority;
    private final String credential;
    private volatile String header;
    private volatile Instant expires = Instant.EPOCH;

    /**
     * Creates the holder; no token is exchanged until {@link #refresh}.
     *
     * @param authority a channel to the Authority's gRPC port, owned by the caller
     * @param credential the subject credential, such as {@code dummy:bench-user:offers.write}
     */
    PrivateTokens(Channel authority, String credential) {
        this.authority = authority;
        this.credential = credential;
    }

    /**
     * Exchanges the credential for a private token for the offer service; the Authority may
     * answer the one it issued before until shortly before that one expires.
     *
     * @return when the token now attached expires
     */
    Instant refresh() {
        ExchangeTokenResponse response = AuthorityGrpc.newBlockingStub(authority)
                .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .exchangeToken(ExchangeTokenRequest.newBuilder()
                        .setSubjectToken(credential)
                        .setSubjectTokenType(CredentialType.CREDENTIAL_TYPE_ACCESS_TOKEN)
                        .setAudience(AUDIENCE)
                        .build());
        header = "Bearer " + response.getPrivateToken();
        expires = Instant.ofEpochSecond(response.getExpireTime().getSeconds(), response.getExpireTime().getNanos());
        return expires;
    }

    /**
     * Exchanges the credential again when the token expires within {@code margin}.
     *
     * @param margin how long the token must stay valid
     */
    void refreshWithin(Duration margin) {
        if (expires.isBefore(Instant.now().plus(margin))) {
            refresh();
        }
    }

    /**
     * Returns when the current token expires.
     *
     * @return the expiry; the epoch before the first {@link #refresh}
     */
    Instant expires() {
        return expires;
    }

    /**
     * Returns a view of {@code channel} whose every call carries the token current when it starts.
     *
     * @param channel a channel to the offer service
     * @return the channel with the token attached
     */
    Channel attach(Channel channel) {
        return ClientInterceptors.intercept(channel, new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                    Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        String current = header;
                        if (current != null) {
                            headers.put(AUTHORIZATION, current);
                        }
                        super.start(listener, headers);
                    }
                };
            }
        });
    }
}
