package dev.torii.bench.authority;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.torii.authority.cache.AccessTokenStore;
import dev.torii.authority.cache.ExchangeCache;
import dev.torii.authority.exchange.TokenExchanger;
import dev.torii.authority.mint.KeyRing;
import dev.torii.authority.mint.PrivateTokenMinter;
import dev.torii.authority.mint.SigningKeys;
import dev.torii.authority.v1.CredentialType;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.verify.CredentialKind;
import dev.torii.authority.verify.VerifiedSubject;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Compares what an exchange answered from the Authority's cache costs with one raw RS256
 * verification by Nimbus (parse and signature check) of a realistic access token: the cache is
 * only worth having if a hit is much cheaper than verifying again.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ExchangeCacheBenchmark {

    private static final String AUDIENCE = "examples.offer.v1.OfferService";

    private TokenExchanger exchanger;
    private String accessToken;
    private RSASSAVerifier verifier;

    /**
     * Builds a real exchanger over the in-process cache, fills the cache with one exchange, and
     * signs the access token the raw verification checks.
     */
    @Setup
    public void setUp() throws JOSEException {
        Clock clock = Clock.systemUTC();
        KeyRing ring = new KeyRing(SigningKeys.generate("RS256"), Duration.ofMinutes(15), clock);
        PrivateTokenMinter minter = new PrivateTokenMinter(ring, "http://authority.bench", Duration.ofMinutes(5), clock);
        ExchangeCache cache = new ExchangeCache(100_000, Duration.ofSeconds(60), Duration.ofSeconds(30), Optional.empty(), clock);
        // The verifier answers once, to fill the cache; every measured call must be a hit.
        exchanger = new TokenExchanger(
                Map.of(CredentialKind.ACCESS_TOKEN, new dev.torii.authority.verify.CredentialVerifier() {
                    @Override
                    public CompletableFuture<VerifiedSubject> verify(String credential) {
                        return CompletableFuture.completedFuture(VerifiedSubject.user("user-1234567",
                                List.of("offers.read", "offers.write"), Optional.empty()));
                    }

                    @Override
                    public String name() {
                        return "bench";
                    }
                }),
                minter, cache, new AccessTokenStore(100_000, Optional.empty(), clock), Set.of(), List.of());

        RSAKey issuerKey = new RSAKeyGenerator(2048).keyID("idp-2026-11").generate();
        Instant now = Instant.now();
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(issuerKey.getKeyID()).build(),
                new JWTClaimsSet.Builder()
                        .issuer("https://id.example.co.jp/")
                        .subject("user-1234567")
                        .audience("https://api.example.co.jp/")
                        .issueTime(Date.from(now))
                        .notBeforeTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                        .jwtID(UUID.randomUUID().toString())
                        .claim("scope", "openid profile offers.read offers.write")
                        .claim("client_id", "mobile-app-ios")
                        .build());
        token.sign(new RSASSASigner(issuerKey));
        accessToken = token.serialize();
        verifier = new RSASSAVerifier(issuerKey.toRSAPublicKey());
        ExchangeTokenResponse first = exchanger.exchange(accessToken, CredentialType.CREDENTIAL_TYPE_ACCESS_TOKEN, AUDIENCE).join();
        if (first.getPrivateToken().isEmpty()) {
            throw new IllegalStateException("the exchange did not mint a token");
        }
    }

    /**
     * Measures an exchange the cache answers.
     *
     * @return the answer, so the JIT cannot drop the work
     */
    @Benchmark
    public ExchangeTokenResponse exchangeFromCache() {
        return exchanger.exchange(accessToken, CredentialType.CREDENTIAL_TYPE_ACCESS_TOKEN, AUDIENCE).join();
    }

    /**
     * Measures one raw RS256 verification: parse the JWT and check its signature.
     *
     * @return whether the signature holds, so the JIT cannot drop the work
     */
    @Benchmark
    public boolean rawRs256Verification() throws ParseException, JOSEException {
        return SignedJWT.parse(accessToken).verify(verifier);
    }
}
