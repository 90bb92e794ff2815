package dev.torii.gateway.auth;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Builds the credentials of the gateway's channel to the Authority: plaintext, TLS with the JVM's
 * trust store, or TLS from a Spring Boot SSL bundle (the CA to trust, and a client certificate for
 * mutual TLS). Bundle material lives in grpc-java's {@link AdvancedTlsX509TrustManager} and
 * {@link AdvancedTlsX509KeyManager}, refilled by the bundle's update handler, so new connections
 * use reloaded files while open ones keep theirs.
 */
final class AuthorityChannelCredentials {

    private static final Logger log = LoggerFactory.getLogger(AuthorityChannelCredentials.class);

    private AuthorityChannelCredentials() {}

    /**
     * Returns the channel credentials the settings ask for.
     *
     * @param tls whether TLS was switched on
     * @param bundleName the SSL bundle to take TLS material from; implies TLS
     * @param bundles the application's SSL bundles; may be null when no bundle is named
     * @return the credentials
     * @throws IllegalStateException when the bundle is unknown or its material unusable
     */
    static ChannelCredentials of(boolean tls, Optional<String> bundleName, SslBundles bundles) {
        if (bundleName.isEmpty()) {
            return tls ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
        }
        String name = bundleName.get();
        if (bundles == null) {
            throw new IllegalStateException("torii.gateway.authority.tls-bundle: " + name
                    + " (expected: a bundle under spring.ssl.bundle, but this application has no SSL bundles)");
        }
        SslBundle bundle;
        try {
            bundle = bundles.getBundle(name);
        } catch (NoSuchSslBundleException e) {
            throw new IllegalStateException("torii.gateway.authority.tls-bundle: " + name + " (expected: one of "
                    + bundles.getBundleNames() + ", configured under spring.ssl.bundle.pem or spring.ssl.bundle.jks)",
                    e);
        }
        AdvancedTlsX509TrustManager trustManager = serverVerifier();
        // A client certificate is sent only when the bundle has a key store. A reload re-reads the
        // same files, so whether it has one does not change while the gateway runs.
        boolean clientCertificate = bundle.getStores().getKeyStore() != null;
        AdvancedTlsX509KeyManager keyManager = clientCertificate ? new AdvancedTlsX509KeyManager() : null;
        load(name, bundle, trustManager, keyManager);
        bundles.addBundleUpdateHandler(name, updated -> {
            try {
                load(name, updated, trustManager, keyManager);
                log.info("Authority channel: SSL bundle '{}' reloaded; new connections use it", name);
            } catch (RuntimeException e) {
                log.error("Authority channel: SSL bundle '{}' changed but cannot be used ({}); the previous"
                        + " material stays in use", name, e.getMessage());
            }
        });
        TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder().trustManager(trustManager);
        if (keyManager != null) {
            credentials.keyManager(keyManager);
        }
        return credentials.build();
    }

    private static AdvancedTlsX509TrustManager serverVerifier() {
        try {
            return AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the Authority channel's certificate verifier", e);
        }
    }

    private static void load(String name, SslBundle bundle, AdvancedTlsX509TrustManager trustManager,
            AdvancedTlsX509KeyManager keyManager) {
        if (bundle.getOptions().isSpecified()) {
            throw new IllegalStateException("SSL bundle '" + name + "': options (ciphers, enabled-protocols) are set"
                    + " (expected: none; the Authority channel uses grpc-java's TLS 1.2/1.3 defaults)");
        }
        List<X509Certificate> authorities = certificates(name, bundle.getStores().getTrustStore());
        try {
            if (authorities.isEmpty()) {
                trustManager.useSystemDefaultTrustCerts();
            } else {
                trustManager.updateTrustCredentials(authorities.toArray(X509Certificate[]::new));
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("SSL bundle '" + name + "': cannot use its CA certificates: "
                    + e.getMessage(), e);
        }
        if (keyManager != null) {
            KeyStore keyStore = bundle.getStores().getKeyStore();
            if (keyStore == null) {
                throw new IllegalStateException("SSL bundle '" + name + "': the key store with the client"
                        + " certificate is gone (expected: keystore.certificate and keystore.private-key)");
            }
            identity(name, bundle, keyStore, keyManager);
        }
    }

    private static void identity(String name, SslBundle bundle, KeyStore keyStore, AdvancedTlsX509KeyManager keyManager) {
        String password = bundle.getKey().getPassword() != null ? bundle.getKey().getPassword()
                : bundle.getStores().getKeyStorePassword();
        try {
            String alias = bundle.getKey().getAlias();
            if (alias == null) {
                for (String candidate : Collections.list(keyStore.aliases())) {
                    if (keyStore.isKeyEntry(candidate)) {
                        alias = candidate;
                        break;
                    }
                }
            }
            if (alias == null) {
                throw new IllegalStateException("SSL bundle '" + name
                        + "': the key store holds no private key (expected: one key entry, the client certificate)");
            }
            Key key = keyStore.getKey(alias, password == null ? new char[0] : password.toCharArray());
            Certificate[] chain = keyStore.getCertificateChain(alias);
            if (!(key instanceof PrivateKey privateKey) || chain == null || chain.length == 0) {
                throw new IllegalStateException("SSL bundle '" + name + "': key store entry '" + alias
                        + "' (expected: a private key with its certificate chain)");
            }
            X509Certificate[] x509 = new X509Certificate[chain.length];
            for (int i = 0; i < chain.length; i++) {
                x509[i] = (X509Certificate) chain[i];
            }
            keyManager.updateIdentityCredentials(x509, privateKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SSL bundle '" + name + "': cannot read the client certificate's key: "
                    + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> certificates(String name, KeyStore trustStore) {
        List<X509Certificate> certificates = new ArrayList<>();
        if (trustStore == null) {
            return certificates;
        }
        try {
            for (String alias : Collections.list(trustStore.aliases())) {
                if (trustStore.getCertificate(alias) instanceof X509Certificate certificate) {
                    certificates.add(certificate);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SSL bundle '" + name + "': cannot read the trust store: "
                    + e.getMessage(), e);
        }
        return certificates;
    }
}
