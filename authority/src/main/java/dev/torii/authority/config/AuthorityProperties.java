package dev.torii.authority.config;

import dev.torii.authority.verify.GoogleServiceAccountSettings;
import dev.torii.authority.verify.IntrospectionSettings;
import dev.torii.authority.verify.KeyEndpointSettings;
import dev.torii.authority.verify.OidcJwtSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Configures the Authority: who it is, how it signs, which credentials it accepts, who may
 * resolve access tokens, and how it caches.
 *
 * @param issuer the {@code iss} of every private token and the base of the discovery document;
 *     the URL backends reach the Authority's HTTP port at
 * @param grpc the gRPC server
 * @param tokens private-token minting
 * @param keys signing keys and their rotation
 * @param users how user access tokens are verified
 * @param google which Google service accounts may call
 * @param audiences the audiences private tokens may be minted for; empty allows any
 * @param resolve who may turn a private token back into the user's access token
 * @param cache the exchange cache
 * @param redis the shared cache, when several replicas run
 * @param limits the size limits of exchange requests, over gRPC and HTTP
 * @param keyEndpoints how keys fetched from an OIDC issuer and Google are cached and kept
 *     through an outage of their endpoint
 */
@Validated
@ConfigurationProperties("torii.authority")
public record AuthorityProperties(
        @NotBlank @DefaultValue("http://localhost:9091") String issuer,
        @Valid @DefaultValue Grpc grpc,
        @Valid @DefaultValue Tokens tokens,
        @Valid @DefaultValue Keys keys,
        @Valid @DefaultValue Users users,
        @Valid @DefaultValue @NestedConfigurationProperty GoogleServiceAccountSettings google,
        @DefaultValue List<String> audiences,
        @Valid @DefaultValue Resolve resolve,
        @Valid @DefaultValue Cache cache,
        @Valid @DefaultValue Redis redis,
        @Valid @DefaultValue Limits limits,
        // Nested explicitly: the record lives in another package, and IDE metadata should list its fields.
        @Valid @DefaultValue @NestedConfigurationProperty KeyEndpointSettings keyEndpoints) {

    /**
     * Configures the gRPC server.
     *
     * @param port the port; 0 picks a free one
     * @param shutdownGrace how long in-flight calls may finish on shutdown
     * @param ssl TLS on the gRPC server; plaintext unless it names an SSL bundle
     */
    public record Grpc(@DefaultValue("9090") int port, @DefaultValue("10s") Duration shutdownGrace,
            @Valid @DefaultValue Ssl ssl) {

        /**
         * Configures TLS on the gRPC server, the link that carries callers' raw credentials.
         *
         * @param bundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.pem.<name>} or
         *     {@code spring.ssl.bundle.jks.<name>}) holding the server's key and certificate chain,
         *     and the CA certificates client certificates must chain to; absent serves plaintext.
         *     With the bundle's {@code reload-on-update: true}, new connections use a replaced
         *     certificate without a restart
         * @param clientAuth whether callers must present a certificate: {@code none},
         *     {@code optional} (verified when presented) or {@code require} (mutual TLS)
         */
        public record Ssl(Optional<String> bundle, @DefaultValue("none") ClientAuth clientAuth) {

            /**
             * Checks that client certificates are only asked for over TLS.
             */
            public Ssl {
                bundle = bundle == null ? Optional.empty() : bundle.filter(name -> !name.isBlank());
                if (bundle.isEmpty() && clientAuth != ClientAuth.NONE) {
                    throw new IllegalArgumentException("torii.authority.grpc.ssl.client-auth: "
                            + clientAuth.name().toLowerCase(Locale.ROOT)
                            + " (expected: none unless torii.authority.grpc.ssl.bundle names an SSL bundle)");
                }
            }
        }

        /** Whether the gRPC server asks callers for a client certificate. */
        public enum ClientAuth {
            /** No client certificate is asked for. */
            NONE,
            /** A client certificate is asked for and verified when presented. */
            OPTIONAL,
            /** Every caller must present a certificate that chains to the bundle's CA (mutual TLS). */
            REQUIRE
        }
    }

    /**
     * Configures minted private tokens.
     *
     * @param lifetime how long a private token is valid (never longer than the credential behind it)
     * @param algorithm {@code RS256} (default; fastest to verify on the JVM) or {@code ES256}
     */
    public record Tokens(@DefaultValue("5m") Duration lifetime, @DefaultValue("RS256") String algorithm) {

        /**
         * Checks the values.
         */
        public Tokens {
            if (lifetime.compareTo(Duration.ofSeconds(30)) < 0 || lifetime.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("torii.authority.tokens.lifetime: " + lifetime
                        + " (expected: between 30s and 1h; private tokens are short-lived)");
            }
            if (!algorithm.equals("RS256") && !algorithm.equals("ES256")) {
                throw new IllegalArgumentException("torii.authority.tokens.algorithm: " + algorithm
                        + " (expected: RS256 or ES256)");
            }
        }
    }

    /**
     * Configures the signing keys.
     *
     * @param files PEM (PKCS#8 private key) or JWK files holding the signing key, such as a
     *     mounted Kubernetes Secret; when empty, a key is generated at start-up (local mode only)
     * @param pollInterval how often key files are checked for a new key (a Secret update); the
     *     new key signs from then on and the old one stays published for {@code overlap}
     * @param overlap how long a retired key stays in the JWKS, so tokens it signed keep verifying;
     *     must exceed the token lifetime
     * @param rotateGeneratedEvery how often a generated key is replaced; zero never
     */
    public record Keys(
            @DefaultValue List<Path> files,
            @DefaultValue("30s") Duration pollInterval,
            @DefaultValue("15m") Duration overlap,
            @DefaultValue("0s") Duration rotateGeneratedEvery) {}

    /**
     * Configures how user access tokens are verified.
     *
     * @param verifier {@code introspection} (RFC 7662), {@code jwt} (OIDC JWT access tokens) or
     *     {@code none} (user tokens refused)
     * @param introspection the introspection settings
     * @param jwt the JWT settings
     */
    public record Users(
            @NotNull @DefaultValue("none") String verifier,
            @Valid @DefaultValue @NestedConfigurationProperty IntrospectionSettings introspection,
            @Valid @DefaultValue @NestedConfigurationProperty OidcJwtSettings jwt) {

        /**
         * Checks the choice of verifier.
         */
        public Users {
            if (!List.of("introspection", "jwt", "none").contains(verifier)) {
                throw new IllegalArgumentException("torii.authority.users.verifier: " + verifier
                        + " (expected: introspection, jwt or none)");
            }
        }
    }

    /**
     * Configures access-token resolution.
     *
     * @param allowedAudiences audiences (backend services) whose private tokens may be resolved
     *     to the user's access token; everyone else gets PERMISSION_DENIED
     */
    public record Resolve(@DefaultValue List<String> allowedAudiences) {}

    /**
     * Configures the exchange cache.
     *
     * @param maxEntries the most exchanges kept in process
     * @param refreshBefore a cached private token is not handed out when it expires sooner than
     *     this, so callers always get time to use it
     * @param negativeTtl how long a rejected credential stays rejected without asking the
     *     identity provider again
     */
    public record Cache(
            @DefaultValue("100000") long maxEntries,
            @DefaultValue("60s") Duration refreshBefore,
            @DefaultValue("30s") Duration negativeTtl) {}

    /**
     * Configures the shared Redis cache.
     *
     * @param uri a Lettuce URI such as {@code redis://redis:6379/0} or
     *     {@code redis-sentinel://...}; absent keeps the cache in process only
     * @param commandTimeout how long one Redis command may take before the Authority carries on
     *     without Redis
     * @param keyPrefix prefix of every key the Authority writes
     */
    public record Redis(Optional<URI> uri, @DefaultValue("200ms") Duration commandTimeout,
            @DefaultValue("torii:authority:") String keyPrefix) {

        /**
         * Treats an absent URI as empty (Spring binds an absent Optional as null).
         */
        public Redis {
            uri = uri == null ? Optional.empty() : uri;
        }
    }

    /**
     * Limits the size of exchange requests, so an oversize one is refused with a clear 4xx or
     * INVALID_ARGUMENT before any parser, verifier or identity provider sees it.
     *
     * @param maxSubjectTokenLength the longest subject token accepted, in characters, over gRPC
     *     and HTTP; real access tokens and service-account JWTs are 1 to 4 KiB, and the verifiers
     *     never look at more than 16 KiB
     * @param maxFormSize the largest RFC 8693 request body read by the token endpoint; a larger
     *     one is answered 413 without being read whole. Must leave room for a subject token of
     *     the maximum length and the other parameters
     */
    public record Limits(
            @Min(1) @Max(16384) @DefaultValue("16384") int maxSubjectTokenLength,
            @NotNull @DefaultValue("64KB") DataSize maxFormSize) {

        /** Room the form needs besides the subject token: grant and token type URNs, audience, separators. */
        static final int FORM_OVERHEAD_BYTES = 1024;

        /**
         * Checks that a subject token of the maximum length fits in a form of the maximum size.
         */
        public Limits {
            if (maxFormSize != null && maxFormSize.toBytes() < (long) maxSubjectTokenLength + FORM_OVERHEAD_BYTES) {
                throw new IllegalArgumentException("torii.authority.limits.max-form-size: " + maxFormSize
                        + " (expected: at least max-subject-token-length " + maxSubjectTokenLength + " + "
                        + FORM_OVERHEAD_BYTES + " bytes, so the longest accepted token fits in a form)");
            }
            if (maxFormSize != null && maxFormSize.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("torii.authority.limits.max-form-size: " + maxFormSize
                        + " (expected: at most 2GB)");
            }
        }
    }
}
