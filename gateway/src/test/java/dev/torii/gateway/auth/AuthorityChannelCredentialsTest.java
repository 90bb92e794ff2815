package dev.torii.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.authority.testing.TestCertificateAuthority;
import dev.torii.authority.testing.TestCertificateAuthority.Issued;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * Checks which credentials the Authority channel gets: plaintext, TLS with the JVM's trust store
 * (the old switch), or TLS from an SSL bundle with or without a client certificate, and a clear
 * refusal of bundles it cannot use.
 */
class AuthorityChannelCredentialsTest {

    private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Torii test CA");
    private static final Issued CLIENT = CA.issueClient("torii-gateway");

    @Test
    void theOnOffSwitchStillChoosesPlaintextOrTlsWithTheJvmTrustStore() {
        assertThat(AuthorityChannelCredentials.of(false, Optional.empty(), null))
                .isInstanceOf(InsecureChannelCredentials.class);
        assertThat(AuthorityChannelCredentials.of(true, Optional.empty(), null))
                .isInstanceOfSatisfying(TlsChannelCredentials.class, tls -> {
                    assertThat(tls.getTrustManagers()).as("the JVM's default").isNull();
                    assertThat(tls.getKeyManagers()).isNull();
                });
    }

    @Test
    void aBundleWithAKeyStoreSendsAClientCertificateAndImpliesTls() {
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("authority", bundle(true, SslOptions.NONE));

        assertThat(AuthorityChannelCredentials.of(false, Optional.of("authority"), bundles))
                .isInstanceOfSatisfying(TlsChannelCredentials.class, tls -> {
                    assertThat(tls.getTrustManagers()).hasSize(1);
                    assertThat(tls.getKeyManagers()).hasSize(1);
                });
    }

    @Test
    void aBundleWithOnlyTheCaSendsNoClientCertificate() {
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("authority", bundle(false, SslOptions.NONE));

        assertThat(AuthorityChannelCredentials.of(true, Optional.of("authority"), bundles))
                .isInstanceOfSatisfying(TlsChannelCredentials.class, tls -> {
                    assertThat(tls.getTrustManagers()).hasSize(1);
                    assertThat(tls.getKeyManagers()).isNull();
                });
    }

    @Test
    void anUnknownBundleIsNamed() {
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("authority", bundle(true, SslOptions.NONE));

        assertThatThrownBy(() -> AuthorityChannelCredentials.of(true, Optional.of("authorty"), bundles))
                .hasMessageStartingWith("torii.gateway.authority.tls-bundle: authorty (expected: one of [authority]");
    }

    @Test
    void bundleOptionsTheChannelWouldIgnoreAreRefused() {
        SslOptions options = SslOptions.of(new String[] {"TLS_AES_128_GCM_SHA256"}, null);
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("authority", bundle(true, options));

        assertThatThrownBy(() -> AuthorityChannelCredentials.of(true, Optional.of("authority"), bundles))
                .hasMessageStartingWith("SSL bundle 'authority': options (ciphers, enabled-protocols) are set");
    }

    private static SslBundle bundle(boolean withClientCertificate, SslOptions options) {
        PemSslStoreDetails key = withClientCertificate
                ? PemSslStoreDetails.forCertificate(CLIENT.certificatePem()).withPrivateKey(CLIENT.privateKeyPem())
                : null;
        return SslBundle.of(new PemSslStoreBundle(key, PemSslStoreDetails.forCertificate(CA.certificatePem())),
                SslBundleKey.NONE, options);
    }
}
