package dev.torii.authority.config;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
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
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Builds the gRPC server's credentials from a Spring Boot SSL bundle and keeps them current when
 * the bundle reloads. The key, certificate chain and client CA certificates live in grpc-java's
 * {@link AdvancedTlsX509KeyManager} and {@link AdvancedTlsX509TrustManager}, which the bundle's
 * update handler refills: each new handshake asks them afresh, so new connections use a replaced
 * certificate while open ones keep theirs.
 */
final class GrpcServerTls {

    private static final Logger log = LoggerFactory.getLogger(GrpcServerTls.class);

    private GrpcServerTls() {}

    /**
     * Returns plaintext credentials when no bundle is named, otherwise TLS credentials from the
     * bundle, with client certificates verified against the bundle's trust material as asked.
     *
     * @param ssl the settings
     * @param bundles the application's SSL bundles; may be null when no bundle is named
     * @return the server credentials
     * @throws IllegalStateException when the bundle is unknown, lacks a key or, with client
     *     authentication, lacks CA certificates
     */
    static ServerCredentials credentials(AuthorityProperties.Grpc.Ssl ssl, SslBundles bundles) {
        if (ssl.bundle().isEmpty()) {
            return InsecureServerCredentials.create();
        }
        String name = ssl.bundle().get();
        if (bundles == null) {
            throw new IllegalStateException("torii.authority.grpc.ssl.bundle: " + name
                    + " (expected: a bundle under spring.ssl.bundle, but this application has no SSL bundles)");
        }
        SslBundle bundle;
        try {
            bundle = bundles.getBundle(name);
        } catch (NoSuchSslBundleException e) {
            throw new IllegalStateException("torii.authority.grpc.ssl.bundle: " + name
                    + " (expected: one of " + bundles.getBundleNames()
                    + ", configured under spring.ssl.bundle.pem or spring.ssl.bundle.jks)", e);
        }
        boolean verifyClients = ssl.clientAuth() != AuthorityProperties.Grpc.ClientAuth.NONE;
        AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
        AdvancedTlsX509TrustManager trustManager = verifyClients ? clientVerifier() : null;
        load(name, bundle, ssl.clientAuth(), keyManager, trustManager);
        bundles.addBundleUpdateHandler(name, updated -> {
            try {
                load(name, updated, ssl.clientAuth(), keyManager, trustManager);
                log.info("gRPC server: SSL bundle '{}' reloaded; new connections use its certificate", name);
            } catch (RuntimeException e) {
                log.error("gRPC server: SSL bundle '{}' changed but cannot be used ({}); the previous"
                        + " certificate stays in use", name, e.getMessage());
            }
        });
        TlsServerCredentials.Builder credentials = TlsServerCredentials.newBuilder()
                .keyManager(keyManager)
                .clientAuth(TlsServerCredentials.ClientAuth.valueOf(ssl.clientAuth().name()));
        if (trustManager != null) {
            credentials.trustManager(trustManager);
        }
        return credentials.build();
    }

    private static AdvancedTlsX509TrustManager clientVerifier() {
        try {
            // A client certificate names no host the server could check, so the chain alone decides.
            return AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the gRPC server's client-certificate verifier", e);
        }
    }

    private static void load(String name, SslBundle bundle, AuthorityProperties.Grpc.ClientAuth clientAuth,
            AdvancedTlsX509KeyManager keyManager, AdvancedTlsX509TrustManager trustManager) {
        if (bundle.getOptions().isSpecified()) {
            throw new IllegalStateException("SSL bundle '" + name + "': options (ciphers, enabled-protocols) are set"
                    + " (expected: none; the gRPC server uses grpc-java's TLS 1.2/1.3 defaults)");
        }
        KeyStore keyStore = bundle.getStores().getKeyStore();
        if (keyStore == null) {
            throw new IllegalStateException("SSL bundle '" + name + "': no key store (expected: the server's"
                    + " private key and certificate chain, such as keystore.certificate and keystore.private-key)");
        }
        List<X509Certificate> authorities = trustManager == null ? List.of()
                : certificates(name, bundle.getStores().getTrustStore());
        if (trustManager != null && authorities.isEmpty()) {
            throw new IllegalStateException("torii.authority.grpc.ssl.client-auth: "
                    + clientAuth.name().toLowerCase(Locale.ROOT) + " needs CA certificates to verify client"
                    + " certificates, but SSL bundle '" + name + "' has none (expected: a trust store, such as"
                    + " truststore.certificate)");
        }
        Identity identity = identity(name, bundle, keyStore);
        keyManager.updateIdentityCredentials(identity.chain(), identity.key());
        if (trustManager != null) {
            try {
                trustManager.updateTrustCredentials(authorities.toArray(X509Certificate[]::new));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("SSL bundle '" + name + "': cannot use its CA certificates: "
                        + e.getMessage(), e);
            }
        }
    }

    private record Identity(PrivateKey key, X509Certificate[] chain) {}

    private static Identity identity(String name, SslBundle bundle, KeyStore keyStore) {
        String password = bundle.getKey().getPassword() != null ? bundle.getKey().getPassword()
                : bundle.getStores().getKeyStorePassword();
        try {
            String alias = bundle.getKey().getAlias();
            if (alias == null) {
                alias = Collections.list(keyStore.aliases()).stream().filter(a -> isKeyEntry(keyStore, a)).findFirst()
                        .orElseThrow(() -> new IllegalStateException("SSL bundle '" + name
                                + "': the key store holds no private key (expected: one key entry)"));
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
            return new Identity(privateKey, x509);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SSL bundle '" + name + "': cannot read the private key: "
                    + e.getMessage(), e);
        }
    }

    private static boolean isKeyEntry(KeyStore keyStore, String alias) {
        try {
            return keyStore.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
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
