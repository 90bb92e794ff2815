package dev.torii.authority.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

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
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

    private TestCertificates() {}

    /** Returns a PEM certificate (X.509 v1, SHA256withRSA) for the key, signed by the key itself. */
    public static String selfSignedPem(RSAKey key, String commonName) {
        try {
            byte[] algorithm = der(0x30, SHA256_WITH_RSA, NULL);
            byte[] name = der(0x30, der(0x31, der(0x30, COMMON_NAME, der(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            byte[] validity = der(0x30, utcTime(now.minusDays(1)), utcTime(now.plusDays(30)));
            byte[] tbs = der(0x30, der(0x02, BigInteger.valueOf(System.nanoTime()).abs().toByteArray()), algorithm, name,
                    validity, name, key.toRSAPublicKey().getEncoded());
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key.toRSAPrivateKey());
            signature.update(tbs);
            byte[] signatureBits = concat(new byte[] {0}, signature.sign());
            byte[] certificate = der(0x30, tbs, algorithm, der(0x03, signatureBits));
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate)
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("cannot self-sign a test certificate", e);
        }
    }

    private static byte[] utcTime(ZonedDateTime time) {
        return der(0x17, UTC_TIME.format(time).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] der(int tag, byte[]... parts) {
        byte[] content = concat(parts);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length <= 0xff) {
            out.write(0x81);
            out.write(length);
        } else if (length <= 0xffff) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        } else {
            throw new IllegalArgumentException("DER content: " + length + " bytes (expected: at most 65535)");
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
