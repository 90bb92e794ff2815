package dev.torii.authority.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.authority.config.AuthorityProperties.Grpc.ClientAuth;
import dev.torii.authority.config.AuthorityProperties.Grpc.Ssl;
import dev.torii.authority.testing.TestCertificateAuthority;
import dev.torii.authority.testing.TestCertificateAuthority.Issued;
import io.grpc.InsecureServerCredentials;
import io.grpc.TlsServerCredentials;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * Checks how the gRPC server's TLS settings are read: plaintext without a bundle, client
 * authentication as configured, and a clear refusal of bundles the server cannot use.
 */
class GrpcServerTlsTest {

    private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Torii test CA");
    private static final Issued SERVER = CA.issueServer("authority");

    @Test
    void withoutABundleTheServerIsPlaintext() {
        assertThat(GrpcServerTls.credentials(new Ssl(Optional.empty(), ClientAuth.NONE), null))
                .isInstanceOf(InsecureServerCredentials.class);
        assertThat(GrpcServerTls.credentials(new Ssl(Optional.of(" "), ClientAuth.NONE), null))
                .isInstanceOf(InsecureServerCredentials.class);
    }

    @Test
    void clientAuthenticationFollowsTheSetting() {
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("grpc", bundle(true, SslOptions.NONE));

        for (ClientAuth mode : ClientAuth.values()) {
            assertThat(GrpcServerTls.credentials(new Ssl(Optional.of("grpc"), mode), bundles))
                    .isInstanceOfSatisfying(TlsServerCredentials.class,
                            tls -> assertThat(tls.getClientAuth().name()).isEqualTo(mode.name()));
        }
    }

    @Test
    void clientCertificatesWithoutTlsAreRefused() {
        assertThatThrownBy(() -> new Ssl(Optional.empty(), ClientAuth.REQUIRE))
                .hasMessage("torii.authority.grpc.ssl.client-auth: require"
                        + " (expected: none unless torii.authority.grpc.ssl.bundle names an SSL bundle)");
    }

    @Test
    void anUnknownBundleIsNamed() {
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("grpc", bundle(true, SslOptions.NONE));

        assertThatThrownBy(() -> GrpcServerTls.credentials(new Ssl(Optional.of("grcp"), ClientAuth.NONE), bundles))
                .hasMessageStartingWith("torii.authority.grpc.ssl.bundle: grcp (expected: one of [grpc]");
    }

    @Test
    void requiringClientCertificatesNeedsCaCertificates() {
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("grpc", bundle(false, SslOptions.NONE));

        assertThat(GrpcServerTls.credentials(new Ssl(Optional.of("grpc"), ClientAuth.NONE), bundles)).isNotNull();
        assertThatThrownBy(() -> GrpcServerTls.credentials(new Ssl(Optional.of("grpc"), ClientAuth.REQUIRE), bundles))
                .hasMessageContaining("torii.authority.grpc.ssl.client-auth: require needs CA certificates")
                .hasMessageContaining("SSL bundle 'grpc' has none");
    }

    @Test
    void bundleOptionsTheServerWouldIgnoreAreRefused() {
        SslOptions options = SslOptions.of(null, new String[] {"TLSv1.3"});
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("grpc", bundle(true, options));

        assertThatThrownBy(() -> GrpcServerTls.credentials(new Ssl(Optional.of("grpc"), ClientAuth.NONE), bundles))
                .hasMessageStartingWith("SSL bundle 'grpc': options (ciphers, enabled-protocols) are set");
    }

    @Test
    void aBundleWithoutAKeyIsRefused() {
        SslBundle trustOnly = SslBundle.of(new PemSslStoreBundle(null,
                PemSslStoreDetails.forCertificate(CA.certificatePem())));
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("grpc", trustOnly);

        assertThatThrownBy(() -> GrpcServerTls.credentials(new Ssl(Optional.of("grpc"), ClientAuth.NONE), bundles))
                .hasMessageStartingWith("SSL bundle 'grpc': no key store");
    }

    private static SslBundle bundle(boolean withCa, SslOptions options) {
        PemSslStoreDetails key = PemSslStoreDetails.forCertificate(SERVER.certificatePem())
                .withPrivateKey(SERVER.privateKeyPem());
        return SslBundle.of(new PemSslStoreBundle(key, withCa ? PemSslStoreDetails.forCertificate(CA.certificatePem()) : null),
                SslBundleKey.NONE, options);
    }
}
