package dev.torii.authority.exchange;

import com.google.protobuf.Timestamp;
import dev.torii.authority.cache.AccessTokenStore;
import dev.torii.authority.cache.CacheKeys;
import dev.torii.authority.cache.CachedExchange;
import dev.torii.authority.cache.ExchangeCache;
import dev.torii.authority.mint.MintedToken;
import dev.torii.authority.mint.PrivateTokenMinter;
import dev.torii.authority.v1.CredentialType;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.v1.Principal;
import dev.torii.authority.v1.PrincipalType;
import dev.torii.authority.verify.CredentialClassifier;
import dev.torii.authority.verify.CredentialKind;
import dev.torii.authority.verify.CredentialRejectedException;
import dev.torii.authority.verify.CredentialVerifier;
import dev.torii.authority.verify.SubjectType;
import dev.torii.authority.verify.VerifiedSubject;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Exchanges a subject credential for a private token, the Authority's one job: check the
 * request, answer from the cache when possible, otherwise pick the verifier for the credential's
 * kind, mint a token for the audience, and remember the answer. Concurrent exchanges of the same
 * credential and audience share one verification.
 */
public final class TokenExchanger {

    /** The longest credential accepted by default, before any parsing; the verifiers never look at more. */
    public static final int MAX_CREDENTIAL_LENGTH = 16 * 1024;
    private static final Pattern AUDIENCE = Pattern.compile("[A-Za-z0-9._:/@-]{1,256}");
    private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

    private final Map<CredentialKind, CredentialVerifier> verifiers;
    private final PrivateTokenMinter minter;
    private final ExchangeCache cache;
    private final AccessTokenStore accessTokens;
    private final Set<String> allowedAudiences;
    private final List<String> googleIdTokenIssuers;
    private final Map<String, CompletableFuture<ExchangeTokenResponse>> inFlight = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final int maxCredentialLength;

    /**
     * Creates the exchanger.
     *
     * @param verifiers the verifier of each accepted credential kind; a kind without one is refused
     * @param minter signs private tokens
     * @param cache remembers exchanges
     * @param accessTokens remembers the access token behind user tokens, for resolution
     * @param allowedAudiences audiences tokens may be minted for; empty allows any
     * @param googleIdTokenIssuers issuers whose JWTs are Google service-account credentials, for
     *     credentials whose type the caller did not give
     */
    public TokenExchanger(Map<CredentialKind, CredentialVerifier> verifiers, PrivateTokenMinter minter,
            ExchangeCache cache, AccessTokenStore accessTokens, Set<String> allowedAudiences,
            List<String> googleIdTokenIssuers) {
        this(verifiers, minter, cache, accessTokens, allowedAudiences, googleIdTokenIssuers, new CompositeMeterRegistry());
    }

    /**
     * Creates the exchanger, recording {@code torii.authority.exchanges} (each exchange by how it
     * was answered: {@code cache_hit}, {@code coalesced}, {@code verified}, {@code rejected},
     * {@code invalid}, {@code error}) and {@code torii.authority.verifications} (the verifiers'
     * latency by credential kind and outcome).
     *
     * @param verifiers the verifier of each accepted credential kind; a kind without one is refused
     * @param minter signs private tokens
     * @param cache remembers exchanges
     * @param accessTokens remembers the access token behind user tokens, for resolution
     * @param allowedAudiences audiences tokens may be minted for; empty allows any
     * @param googleIdTokenIssuers issuers whose JWTs are Google service-account credentials
     * @param meters where the meters go
     */
    public TokenExchanger(Map<CredentialKind, CredentialVerifier> verifiers, PrivateTokenMinter minter,
            ExchangeCache cache, AccessTokenStore accessTokens, Set<String> allowedAudiences,
            List<String> googleIdTokenIssuers, MeterRegistry meters) {
        this(verifiers, minter, cache, accessTokens, allowedAudiences, googleIdTokenIssuers, meters,
                MAX_CREDENTIAL_LENGTH);
    }

    /**
     * Creates the exchanger with its own limit on the credential's length.
     *
     * @param verifiers the verifier of each accepted credential kind; a kind without one is refused
     * @param minter signs private tokens
     * @param cache remembers exchanges
     * @param accessTokens remembers the access token behind user tokens, for resolution
     * @param allowedAudiences audiences tokens may be minted for; empty allows any
     * @param googleIdTokenIssuers issuers whose JWTs are Google service-account credentials
     * @param meters where the meters go
     * @param maxCredentialLength the longest credential accepted, in characters (1 to {@link
     *     #MAX_CREDENTIAL_LENGTH}); a longer one is {@link InvalidExchangeRequestException}
     */
    public TokenExchanger(Map<CredentialKind, CredentialVerifier> verifiers, PrivateTokenMinter minter,
            ExchangeCache cache, AccessTokenStore accessTokens, Set<String> allowedAudiences,
            List<String> googleIdTokenIssuers, MeterRegistry meters, int maxCredentialLength) {
        if (maxCredentialLength < 1 || maxCredentialLength > MAX_CREDENTIAL_LENGTH) {
            throw new IllegalArgumentException("maxCredentialLength: " + maxCredentialLength + " (expected: 1 to "
                    + MAX_CREDENTIAL_LENGTH + ")");
        }
        this.maxCredentialLength = maxCredentialLength;
        this.meters = meters;
        this.verifiers = Map.copyOf(verifiers);
        this.minter = minter;
        this.cache = cache;
        this.accessTokens = accessTokens;
        this.allowedAudiences = Set.copyOf(allowedAudiences);
        this.googleIdTokenIssuers = List.copyOf(googleIdTokenIssuers);
    }

    /**
     * Exchanges a credential for a private token for one audience.
     *
     * @param credential the subject credential, without a "Bearer " prefix
     * @param type its type, or unspecified to let the Authority decide
     * @param audience the backend service the token is for
     * @return the answer, or a failure: {@link InvalidExchangeRequestException}, {@link
     *     AudienceNotAllowedException}, or one of the verifier failures
     */
    public CompletableFuture<ExchangeTokenResponse> exchange(String credential, CredentialType type, String audience) {
        // The caller's observation (the gRPC or HTTP call's), for the verifier's calls made on other threads.
        ContextSnapshot context = SNAPSHOTS.captureAll();
        try {
            check(credential, audience);
        } catch (RuntimeException e) {
            count("invalid");
            return CompletableFuture.failedFuture(e);
        }
        String key = CacheKeys.exchange(credential, audience);
        return cache.get(key, minter.signingKeyId()).thenCompose(hit -> {
            if (hit.isPresent()) {
                count("cache_hit");
                return CompletableFuture.completedFuture(hit.get().response());
            }
            Optional<String> rejected = cache.rejection(key);
            if (rejected.isPresent()) {
                count("rejected");
                return CompletableFuture.failedFuture(new CredentialRejectedException(rejected.get()));
            }
            CompletableFuture<ExchangeTokenResponse> mine = new CompletableFuture<>();
            CompletableFuture<ExchangeTokenResponse> running = inFlight.putIfAbsent(key, mine);
            if (running != null) {
                count("coalesced");
                return running;
            }
            // An exchange of the same key may have finished between our cache miss and taking the
            // slot: it fills the cache before it leaves the slot, so look once more.
            Optional<CachedExchange> finished = cache.getLocal(key, minter.signingKeyId());
            if (finished.isPresent()) {
                count("cache_hit");
                inFlight.remove(key, mine);
                mine.complete(finished.get().response());
                return mine;
            }
            verifyAndMint(key, credential, type, audience, context).whenComplete((response, failure) -> {
                inFlight.remove(key, mine);
                if (failure != null) {
                    mine.completeExceptionally(unwrap(failure));
                } else {
                    mine.complete(response);
                }
            });
            return mine;
        });
    }

    private CompletableFuture<ExchangeTokenResponse> verifyAndMint(String key, String credential, CredentialType type,
            String audience, ContextSnapshot context) {
        CredentialKind kind = kind(credential, type);
        CredentialVerifier verifier = verifiers.get(kind);
        if (verifier == null) {
            return CompletableFuture.failedFuture(new CredentialRejectedException(
                    (kind == CredentialKind.ACCESS_TOKEN ? "user access tokens" : "Google service-account credentials")
                            + " are not accepted by this Authority"));
        }
        CompletableFuture<VerifiedSubject> verified;
        long started = System.nanoTime();
        // A cache answered on its own thread (Redis) may bring us here: restore the caller's context.
        ContextSnapshot.Scope scope = context.setThreadLocals();
        try {
            verified = verifier.verify(credential);
        } catch (RuntimeException e) {
            verified = CompletableFuture.failedFuture(e);
        } finally {
            scope.close();
        }
        return verified.handle((subject, failure) -> {
            Throwable cause = failure == null ? null : unwrap(failure);
            String outcome = cause == null ? "verified" : cause instanceof CredentialRejectedException ? "rejected"
                    : "error";
            Timer.builder("torii.authority.verifications")
                    .description("Credential verifications (cache misses), by credential kind and outcome")
                    .tag("credential", kind.name().toLowerCase(java.util.Locale.ROOT)).tag("outcome", outcome)
                    .register(meters).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            count(outcome);
            if (cause != null) {
                if (cause instanceof CredentialRejectedException) {
                    cache.reject(key, cause.getMessage());
                }
                throw new CompletionException(cause);
            }
            MintedToken token = minter.mint(subject, audience);
            if (subject.type() == SubjectType.USER) {
                accessTokens.put(token.tokenId(), credential, token.expiresAt());
            }
            ExchangeTokenResponse response = ExchangeTokenResponse.newBuilder()
                    .setPrivateToken(token.token())
                    .setExpireTime(Timestamp.newBuilder()
                            .setSeconds(token.expiresAt().getEpochSecond()).setNanos(token.expiresAt().getNano()))
                    .setPrincipal(principal(subject))
                    .build();
            cache.put(key, new CachedExchange(response, token.keyId(), token.expiresAt()));
            return response;
        });
    }

    private void count(String result) {
        Counter.builder("torii.authority.exchanges").description("Token exchanges, by how they were answered")
                .tag("result", result).register(meters).increment();
    }

    private void check(String credential, String audience) {
        if (credential == null || credential.isBlank()) {
            throw new InvalidExchangeRequestException("subject_token is empty (expected: the client's credential)");
        }
        if (credential.length() > maxCredentialLength) {
            throw new InvalidExchangeRequestException("subject_token is " + credential.length()
                    + " characters long (expected: at most " + maxCredentialLength + ")");
        }
        if (audience == null || !AUDIENCE.matcher(audience).matches()) {
            throw new InvalidExchangeRequestException("audience: '" + abbreviate(audience)
                    + "' (expected: a service name of 1 to 256 letters, digits and . _ : / @ -)");
        }
        if (!allowedAudiences.isEmpty() && !allowedAudiences.contains(audience)) {
            throw new AudienceNotAllowedException("audience '" + audience
                    + "' is not one this Authority mints tokens for");
        }
    }

    private CredentialKind kind(String credential, CredentialType type) {
        return switch (type) {
            case CREDENTIAL_TYPE_ACCESS_TOKEN -> CredentialKind.ACCESS_TOKEN;
            case CREDENTIAL_TYPE_GOOGLE_SERVICE_ACCOUNT -> CredentialKind.GOOGLE_SERVICE_ACCOUNT;
            default -> CredentialClassifier.classify(credential, googleIdTokenIssuers);
        };
    }

    private static Principal principal(VerifiedSubject subject) {
        return Principal.newBuilder()
                .setType(subject.type() == SubjectType.USER ? PrincipalType.PRINCIPAL_TYPE_USER
                        : PrincipalType.PRINCIPAL_TYPE_SERVICE_ACCOUNT)
                .setId(subject.id())
                .addAllScopes(subject.scopes())
                .addAllRoles(subject.roles())
                .build();
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String abbreviate(String value) {
        if (value == null) {
            return "";
        }
        return value.length() > 64 ? value.substring(0, 64) + "..." : value;
    }
}
