package dev.torii.authority.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Wraps a test key in a self-signed X.509 certificate, as Google publishes service-account keys,
 * by writing the DER by hand: the JDK has no public certificate builder and the test needs no
 * extra library for it.
 */
public final class TestCertificates {

    private static final byte[] SHA256_WITH_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
        0x01, 0x01, 0x0b};
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    private static final byte[] NULL = {0x05, 0x00};

    private TestCertificates() {}

    /** Returns a PEM certificate (X.509 v1, SHA256withRSA) for the key, signed by the key itself. */
    public static String selfSignedPem(RSAKey key, String commonName) {
        try {
            byte[] algorithm = Der.der(0x30, SHA256_WITH_RSA, NULL);
            byte[] name = Der.der(0x30, Der.der(0x31,
                Der.der(0x30, COMMON_NAME, Der.der(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            byte[] validity = Der.der(0x30, Der.utcTime(now.minusDays(1)), Der.utcTime(now.plusDays(30)));
            byte[] tbs = Der.der(0x30, Der.der(0x02, BigInteger.valueOf(System.nanoTime()).abs().toByteArray()), algorithm, name,
                    validity, name, key.toRSAPublicKey().getEncoded());
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key.toRSAPrivateKey());
            signature.update(tbs);
            byte[] signatureBits = Der.concat(new byte[] {0}, signature.sign());
            byte[] certificate = Der.der(0x30, tbs, algorithm, Der.der(0x03, signatureBits));
            return Der.pem("CERTIFICATE", certificate);
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("cannot self-sign a test certificate", e);
        }
    }
}
