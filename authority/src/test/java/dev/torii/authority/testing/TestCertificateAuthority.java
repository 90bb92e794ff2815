package dev.torii.authority.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate authority for TLS tests: a self-signed CA certificate and the server and client
 * certificates it issues (X.509 v3, P-256 keys, SHA256withECDSA), made in memory when the test
 * runs so no key is ever committed. The DER is written by hand, as in {@link TestCertificates}:
 * the JDK has no public certificate builder and BouncyCastle's PKIX part is not on the classpath.
 */
public final class TestCertificateAuthority {

    private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03,
        0x02};
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    private static final byte[] BASIC_CONSTRAINTS = {0x06, 0x03, 0x55, 0x1d, 0x13};
    private static final byte[] KEY_USAGE = {0x06, 0x03, 0x55, 0x1d, 0x0f};
    private static final byte[] SUBJECT_ALT_NAME = {0x06, 0x03, 0x55, 0x1d, 0x11};
    private static final byte[] TRUE = {0x01, 0x01, (byte) 0xff};
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final KeyPair keys;
    private final byte[] name;
    private final String certificatePem;

    private TestCertificateAuthority(String commonName) {
        this.keys = generateKeys();
        this.name = name(commonName);
        // basicConstraints cA=TRUE (critical), keyUsage keyCertSign + cRLSign (critical).
        byte[] extensions = Der.der(0x30,
                Der.der(0x30, BASIC_CONSTRAINTS, TRUE, Der.der(0x04, Der.der(0x30, TRUE))),
                Der.der(0x30, KEY_USAGE, TRUE, Der.der(0x04, Der.der(0x03, new byte[] {0x01, 0x06}))));
        this.certificatePem = Der.pem("CERTIFICATE", sign(name, keys, extensions));
    }

    /**
     * Creates a CA with a fresh key.
     *
     * @param commonName the CA's subject CN
     * @return the CA
     */
    public static TestCertificateAuthority create(String commonName) {
        return new TestCertificateAuthority(commonName);
    }

    /**
     * Returns the CA's own certificate, the one clients and servers trust.
     *
     * @return a PEM certificate
     */
    public String certificatePem() {
        return certificatePem;
    }

    /**
     * Issues a server certificate for {@code localhost} and {@code 127.0.0.1}.
     *
     * @param commonName the subject CN, to tell certificates apart
     * @return the certificate and its key
     */
    public Issued issueServer(String commonName) {
        // subjectAltName: dNSName localhost, iPAddress 127.0.0.1.
        byte[] names = Der.der(0x30, Der.der(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)),
                Der.der(0x87, new byte[] {127, 0, 0, 1}));
        return issue(commonName, Der.der(0x30, Der.der(0x30, SUBJECT_ALT_NAME, Der.der(0x04, names))));
    }

    /**
     * Issues a client certificate.
     *
     * @param commonName the subject CN
     * @return the certificate and its key
     */
    public Issued issueClient(String commonName) {
        // keyUsage digitalSignature: what a TLS client signs its CertificateVerify with.
        return issue(commonName, Der.der(0x30, Der.der(0x30, KEY_USAGE, TRUE, Der.der(0x04, Der.der(0x03, new byte[] {0x07,
            (byte) 0x80})))));
    }

    private Issued issue(String commonName, byte[] extensions) {
        KeyPair subject = generateKeys();
        byte[] certificate = sign(name(commonName), subject, extensions);
        return new Issued(Der.pem("CERTIFICATE", certificate), Der.pem("PRIVATE KEY", subject.getPrivate().getEncoded()));
    }

    /**
     * A certificate issued by this CA and its private key.
     *
     * @param certificatePem the PEM certificate
     * @param privateKeyPem the PEM PKCS#8 private key
     */
    public record Issued(String certificatePem, String privateKeyPem) {

        /**
         * Writes the certificate and key, each replacing its file in one move so a watcher never
         * reads half a file.
         *
         * @param certificate where the certificate goes
         * @param key where the key goes
         */
        public void writeTo(Path certificate, Path key) {
            replace(key, privateKeyPem);
            replace(certificate, certificatePem);
        }

        private static void replace(Path file, String content) {
            try {
                Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".write", ".tmp");
                Files.writeString(temporary, content);
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }
    }

    /**
     * Writes the CA certificate to a file.
     *
     * @param file where it goes
     * @return the file
     */
    public Path writeCertificate(Path file) {
        try {
            return Files.writeString(file, certificatePem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private byte[] sign(byte[] subject, KeyPair subjectKeys, byte[] extensions) {
        try {
            byte[] algorithm = Der.der(0x30, ECDSA_WITH_SHA256);
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            byte[] validity = Der.der(0x30, Der.utcTime(now.minusDays(1)), Der.utcTime(now.plusDays(30)));
            byte[] version = Der.der(0xa0, Der.der(0x02, new byte[] {0x02}));
            byte[] serial = Der.der(0x02, BigInteger.valueOf(SERIALS.incrementAndGet()).toByteArray());
            byte[] tbs = Der.der(0x30, version, serial, algorithm, name, validity, subject,
                    subjectKeys.getPublic().getEncoded(), Der.der(0xa3, extensions));
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(keys.getPrivate());
            signature.update(tbs);
            return Der.der(0x30, tbs, algorithm, Der.der(0x03, Der.concat(new byte[] {0}, signature.sign())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    private static KeyPair generateKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a P-256 key", e);
        }
    }

    private static byte[] name(String commonName) {
        return Der.der(0x30, Der.der(0x31,
                Der.der(0x30, COMMON_NAME, Der.der(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    }
}
